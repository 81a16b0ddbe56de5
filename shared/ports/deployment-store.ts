/** Durable deployment records. Owner-scoped: another owner's deployment reads as missing. */
import type { DeploymentRecord } from '../domain/deployment.js';

export interface DeploymentQuery {
  readonly offset: number;
  readonly limit: number;
  /** Case-insensitive substring of the label. */
  readonly search?: string;
  /** One of DEPLOYMENT_ORDERS (`label`, `-label`, `createdAt`, `-createdAt`); newest first when absent. */
  readonly orderBy?: string;
}

/** `updated` is set by the caller, which owns the clock. */
export type DeploymentPatch = Partial<
  Pick<DeploymentRecord, 'label' | 'description' | 'modelPackageId' | 'updated'>
>;

export interface DeploymentStore {
  /** Stores a new deployment; the id must be new. */
  create(record: DeploymentRecord): Promise<void>;
  /** The deployment, or null when it does not exist or belongs to another owner. */
  get(ownerId: string, id: string): Promise<DeploymentRecord | null>;
  list(ownerId: string, query: DeploymentQuery): Promise<{ items: DeploymentRecord[]; totalCount: number }>;
  /** Applies `patch`, bumps the version and returns the result. Throws NotFoundError. */
  update(ownerId: string, id: string, patch: DeploymentPatch): Promise<DeploymentRecord>;
  /** Throws NotFoundError for a missing or foreign deployment. */
  delete(ownerId: string, id: string): Promise<void>;
  /** How many of the owner's deployments currently point at the model package. */
  countUsing(ownerId: string, modelPackageId: string): Promise<number>;
}
