/**
 * Workflow step 3: assembles the output header and the scored parts, in order, into `jobs/<id>/output` and
 * completes the job. The assembly streams through one put (s3rver has no UploadPartCopy to join objects).
 */
import { Readable } from 'node:stream';
import type { JobRecord } from '../../domain/job.js';
import { JobStateConflictError } from '../../ports/job-store.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { Deps } from '../deps.js';
import { dispatchQueued, releaseJobSlot } from './dispatch.js';
import { failJob } from './fail-job.js';
import { removePartialOutput, removeScratch } from './job-cleanup.js';
import { requireJob } from './job-context.js';
import { outputHeaderKey, outputKey, partKey } from './job-keys.js';

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
  let size = 0;
  const output = Readable.from(
    assembledOutput(deps.objects, jobId, job.chunksTotal, (bytes) => {
      size += bytes;
    }),
  );
  await deps.objects.put(outputKey(jobId), output, { contentType: 'text/csv' });
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
  await removeScratch(deps.objects, jobId);
  await deps.jobs.appendLog(jobId, `${now} Output written: ${size} bytes`);
  await dispatchQueued(deps, completed.deploymentId);
  return true;
}

async function* assembledOutput(
  objects: ObjectStore,
  jobId: string,
  chunksTotal: number,
  onBytes: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  const keys = [outputHeaderKey(jobId), ...Array.from({ length: chunksTotal }, (_, i) => partKey(jobId, i))];
  for (const key of keys) {
    for await (const piece of (await objects.get(key)) as AsyncIterable<Uint8Array>) {
      onBytes(piece.length);
      yield piece;
    }
  }
}
