/** Ending a job ABORTED with a reason, and removing what it had produced so far. */
import { JobStateConflictError } from '../../ports/job-store.js';
import type { Deps } from '../deps.js';
import { removePartialOutput } from './job-cleanup.js';

const FALLBACK_REASON = 'Job aborted';

/**
 * Moves an INITIALIZING or RUNNING job to ABORTED with `reason` as its statusDetails, then removes its partial
 * output. The first terminal state wins: a job that already ended is left as it is (a COMPLETED job keeps its
 * output; an ABORTED one is cleaned up again, which is harmless). The uploaded input is kept for the retention
 * period. Returns true when this call aborted the job.
 */
export async function failJob(deps: Deps, jobId: string, reason: string): Promise<boolean> {
  const statusDetails = reason.trim() || FALLBACK_REASON;
  try {
    await deps.jobs.transition(jobId, ['INITIALIZING', 'RUNNING'], 'ABORTED', {
      statusDetails,
      finished: deps.clock.now().toISOString(),
    });
  } catch (error) {
    if (!(error instanceof JobStateConflictError)) throw error;
    if (error.current === 'ABORTED') await removePartialOutput(deps.objects, jobId);
    return false;
  }
  await removePartialOutput(deps.objects, jobId);
  await deps.jobs.appendLog(jobId, `${deps.clock.now().toISOString()} Job aborted: ${statusDetails}`);
  return true;
}
