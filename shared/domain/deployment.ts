/**
 * A deployment: a named, owned pointer to the model package that scores its jobs. Replacing the model only
 * moves the pointer; jobs pin the model package when they are created.
 */
import { z } from 'zod';

export const DeploymentRecordSchema = z.strictObject({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  label: z.string().min(1),
  description: z.string().nullable(),
  modelPackageId: z.string().min(1),
  created: z.iso.datetime(),
  updated: z.iso.datetime(),
  /** Bumped by every write. */
  version: z.int().min(1),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

/** Orders a deployment list accepts, DataRobot-style: a field name, descending when prefixed with `-`. */
export const DEPLOYMENT_ORDERS = ['label', '-label', 'createdAt', '-createdAt'] as const;
export type DeploymentOrder = (typeof DEPLOYMENT_ORDERS)[number];

/** Whether `value` is one of {@link DEPLOYMENT_ORDERS}. */
export function isDeploymentOrder(value: string): value is DeploymentOrder {
  return (DEPLOYMENT_ORDERS as readonly string[]).includes(value);
}

/**
 * Sorts and filters deployments the way a list request asks: `search` matches a substring of the label,
 * ignoring case; without `orderBy`, newest first. Stores without server-side sorting share this.
 */
export function selectDeployments(
  deployments: readonly DeploymentRecord[],
  query: { search?: string; orderBy?: DeploymentOrder },
): DeploymentRecord[] {
  const needle = query.search?.toLowerCase() ?? '';
  const matching = deployments.filter((d) => d.label.toLowerCase().includes(needle));
  const orderBy = query.orderBy ?? '-createdAt';
  const descending = orderBy.startsWith('-');
  const field = descending ? orderBy.slice(1) : orderBy;
  const compare = (a: DeploymentRecord, b: DeploymentRecord): number =>
    field === 'label'
      ? a.label.localeCompare(b.label) || a.created.localeCompare(b.created) || a.id.localeCompare(b.id)
      : a.created.localeCompare(b.created) || a.id.localeCompare(b.id);
  return matching.sort((a, b) => (descending ? compare(b, a) : compare(a, b)));
}
