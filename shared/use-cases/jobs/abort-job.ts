import { isTerminal } from '../../domain/job.js';
import type { Deps } from '../deps.js';
import { failJob } from './fail-job.js';
import { getJob } from './query-jobs.js';

/**
 * Aborts one of the caller's jobs (DataRobot's DELETE): ends it ABORTED, stops its pipeline and removes partial
 * output. Aborting a finished job changes nothing; two concurrent aborts end in one ABORTED state.
 */
export async function abortJob(deps: Deps, ownerId: string, id: string): Promise<void> {
  const job = await getJob(deps, ownerId, id);
  if (isTerminal(job.status)) return;
  await failJob(deps, id, 'Job aborted by the user');
  await deps.workflow.stop(id);
}
