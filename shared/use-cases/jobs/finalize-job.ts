/**
 * Workflow step 3: delivers the output header and the scored parts, in order, to the job's destination, or makes
 * them its downloadable output, and completes the job.
 */
import type { JobRecord } from '../../domain/job.js';
import { parseJobSpec } from '../../domain/job-spec.js';
import { JobStateConflictError } from '../../ports/job-store.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { Deps } from '../deps.js';
import { recordJobMonitoring } from '../monitoring/record-job.js';
import { dispatchQueued, releaseJobSlot } from './dispatch.js';
import { failJob } from './fail-job.js';
import { removePartialOutput, removePlanning, removeScratch } from './job-cleanup.js';
import { requireJob } from './job-context.js';
import { outputHeaderKey, outputKey, outputPieceKeys, partsPrefix } from './job-keys.js';
import { deliverOutput, outputSinkOf } from './output/output-sinks.js';

/**
 * Completes a RUNNING job whose chunks are all counted: writes the output, then moves the job to COMPLETED with
 * jobOutputSize, frees its deployment slot for the next queued job and removes the intermediate objects. Returns
 * true when the job completed; false when it was not RUNNING, had no data rows at all (it is then ABORTED as
 * one-pass scoring would have refused it) or was aborted while the output was being written (its output is then
 * removed).
 */
export async function finalizeJob(deps: Deps, jobId: string): Promise<boolean> {
  const job = await requireJob(deps, jobId);
  if (job.status !== 'RUNNING') return false;
  if (job.chunksDone < job.chunksTotal) {
    throw new Error(
      `Job ${jobId} has ${job.chunksDone} of ${job.chunksTotal} chunks done and cannot be finalized`,
    );
  }
  if (job.scoredRows + job.failedRows === 0) {
    await failJob(deps, jobId, 'the input has a header row but no data rows');
    return false;
  }
  let size: number;
  const sink = outputSinkOf(parseJobSpec(job.spec));
  if (sink) {
    // Delivered to the job's destination (s3, jdbc...) instead of being kept for download.
    const csv = assembledOutput(deps.objects, jobId, job.chunksTotal);
    const delivered = await deliverOutput(deps, job, sink, csv);
    if (delivered === null) return false;
    size = delivered;
  } else {
    size = await assembleDownload(deps, jobId, job.chunksTotal);
  }
  // Before the transition: a finalize retried after a failure here records the job once (see recordJobMonitoring).
  await recordJobMonitoring(deps, job);
  const now = deps.clock.now().toISOString();
  let completed: JobRecord;
  try {
    completed = await deps.jobs.transition(jobId, ['RUNNING'], 'COMPLETED', {
      jobOutputSize: size,
      finished: now,
      statusDetails: `Job finished processing at ${now}`,
    });
  } catch (error) {
    if (!(error instanceof JobStateConflictError)) throw error;
    await removePartialOutput(deps.objects, jobId);
    return false;
  }
  await releaseJobSlot(deps, completed);
  await (keepsParts(deps, sink !== null) ? removePlanning : removeScratch)(deps.objects, jobId);
  await deps.jobs.appendLog(jobId, `${now} Output written: ${size} bytes`);
  await dispatchQueued(deps, completed.deploymentId);
  return true;
}

/** Whether the scored parts stay as the job's output (`outputAssembly` in the use cases' config). */
function keepsParts(deps: Deps, delivered: boolean): boolean {
  return !delivered && deps.config.outputAssembly === 'parts';
}

/**
 * Makes a localFile job's output downloadable and returns its size: one object joined inside the store, or the
 * header and parts left where they are for the download to stream in order.
 */
async function assembleDownload(deps: Deps, jobId: string, chunksTotal: number): Promise<number> {
  if (deps.config.outputAssembly !== 'parts')
    return deps.objects.concatenate(outputKey(jobId), outputPieceKeys(jobId, chunksTotal));
  const [header, parts] = await Promise.all([
    deps.objects.head(outputHeaderKey(jobId)),
    deps.objects.list(partsPrefix(jobId)),
  ]);
  if (!header || parts.length !== chunksTotal) {
    throw new Error(`Job ${jobId} is missing scored parts: ${parts.length} of ${chunksTotal}`);
  }
  return parts.reduce((sum, part) => sum + part.size, header.size);
}

async function* assembledOutput(
  objects: ObjectStore,
  jobId: string,
  chunksTotal: number,
): AsyncGenerator<Uint8Array> {
  for (const key of outputPieceKeys(jobId, chunksTotal)) {
    yield* (await objects.get(key)) as AsyncIterable<Uint8Array>;
  }
}
