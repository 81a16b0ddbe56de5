/** Removing what a job's pipeline wrote. The uploaded input is never removed here: it is kept for retention. */
import type { ObjectStore } from '../../ports/object-store.js';
import {
  chunkItemsKey,
  chunkPlanKey,
  outputHeaderKey,
  outputKey,
  partsPrefix,
  transcodedPrefix,
} from './job-keys.js';

/** Removes the intermediate objects (scored parts, output header, chunk plan and items, UTF-8 copies of the input). */
export async function removeScratch(objects: ObjectStore, jobId: string): Promise<void> {
  await Promise.all([
    removePlanning(objects, jobId),
    objects.deletePrefix(partsPrefix(jobId)),
    objects.delete(outputHeaderKey(jobId)),
  ]);
}

/** Removes what only scoring needed (chunk plan and items, UTF-8 copies of the input), keeping header and parts. */
export async function removePlanning(objects: ObjectStore, jobId: string): Promise<void> {
  await Promise.all([
    objects.deletePrefix(transcodedPrefix(jobId)),
    objects.delete(chunkPlanKey(jobId)),
    objects.delete(chunkItemsKey(jobId)),
  ]);
}

/**
 * Removes every output of an aborted job: the scratch objects and the assembled output. Call it after the job is
 * ABORTED, so a chunk that finishes late sees the status and removes its own part.
 */
export async function removePartialOutput(objects: ObjectStore, jobId: string): Promise<void> {
  await Promise.all([removeScratch(objects, jobId), objects.delete(outputKey(jobId))]);
}
