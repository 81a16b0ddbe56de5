/** Ending a job ABORTED with a reason, removing what it had produced so far, and handing its slot on. */
import type { JobRecord } from '../../domain/job.js';
import { JobStateConflictError } from '../../ports/job-store.js';
import type { Deps } from '../deps.js';
import { dispatchQueued, releaseJobSlot } from './dispatch.js';
import { removePartialOutput } from './job-cleanup.js';

const FALLBACK_REASON = 'Job aborted';

/**
 * Moves an INITIALIZING or RUNNING job to ABORTED with `reason` as its statusDetails, then removes its partial
 * output. The first terminal state wins: a job that already ended is left as it is (a COMPLETED job keeps its
 * output; an ABORTED one is cleaned up again, which is harmless). The uploaded input is kept for the retention
 * period. Either way the job's deployment slot is freed (once), the job leaves the queue if it was waiting, and
 * the next queued job of the deployment starts. Returns true when this call aborted the job.
 */
export async function failJob(deps: Deps, jobId: string, reason: string): Promise<boolean> {
  const statusDetails = reason.trim() || FALLBACK_REASON;
  let aborted: JobRecord;
  try {
    aborted = await deps.jobs.transition(jobId, ['INITIALIZING', 'RUNNING'], 'ABORTED', {
      statusDetails,
      finished: deps.clock.now().toISOString(),
    });
  } catch (error) {
    if (!(error instanceof JobStateConflictError)) throw error;
    if (error.current === 'ABORTED') await removePartialOutput(deps.objects, jobId);
    // Repeating the release is harmless and covers a crash of the call that ended the job.
    const ended = await deps.jobs.getById(jobId);
    if (ended) {
      await releaseJobSlot(deps, ended);
      await dispatchQueued(deps, ended.deploymentId);
    }
    return false;
  }
  await releaseJobSlot(deps, aborted);
  await removePartialOutput(deps.objects, jobId);
  await deps.jobs.appendLog(jobId, `${deps.clock.now().toISOString()} Job aborted: ${statusDetails}`);
  await dispatchQueued(deps, aborted.deploymentId);
  return true;
}
