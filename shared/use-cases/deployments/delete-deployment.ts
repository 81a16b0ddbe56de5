import { ConflictError } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { activeJobs } from './active-jobs.js';
import { getDeployment } from './query-deployments.js';

/** Deletes one of the caller's deployments; refused (ConflictError) while it has queued or running jobs. */
export async function deleteDeployment(deps: Deps, ownerId: string, id: string): Promise<void> {
  await getDeployment(deps, ownerId, id);
  const running = (await activeJobs(deps, ownerId)).filter((job) => job.deploymentId === id).length;
  if (running > 0) {
    throw new ConflictError(
      `deployment ${id} has ${running} queued or running job(s): wait for them or abort them first`,
    );
  }
  await deps.deployments.delete(ownerId, id);
}
