/** Request bodies of the deployment use cases; the HTTP layer can reuse them for its OpenAPI document. */
import { z } from 'zod';

const label = () => z.string().min(1).max(512).describe('A name for the deployment.');
const description = () => z.string().max(10_000).nullable().optional().describe('Free text.');

export const CreateDeploymentSchema = z.object({
  modelPackageId: z.string().min(1).max(64).describe('A READY model package of the caller.'),
  label: label(),
  description: description(),
});
export type CreateDeploymentInput = z.input<typeof CreateDeploymentSchema>;

export const UpdateDeploymentSchema = z.object({ label: label().optional(), description: description() });
export type UpdateDeploymentInput = z.input<typeof UpdateDeploymentSchema>;
