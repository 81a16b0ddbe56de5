/**
 * The chunk items prepare writes to `jobs/<id>/chunk-items.json`: one `{ jobId, index, worker }` per chunk, the
 * array the state machine's Distributed Map reads (ItemReader) to score every chunk on its worker.
 */
import type { ObjectStore } from '../../ports/object-store.js';
import { type ChunkWorker, chooseWorker } from './choose-worker.js';
import type { JobChunk } from './chunk-plan.js';
import { chunkItemsKey } from './job-keys.js';

export interface ChunkItem {
  readonly jobId: string;
  readonly index: number;
  readonly worker: ChunkWorker;
}

/** One item per chunk, in chunk order, each with the worker {@link chooseWorker} picks for it. */
export function chunkItems(jobId: string, chunks: readonly JobChunk[], modelBytes: number): ChunkItem[] {
  return chunks.map((chunk) => ({
    jobId,
    index: chunk.index,
    worker: chooseWorker({ modelBytes, chunkBytes: chunk.end - chunk.start }),
  }));
}

/** Stores the job's chunk items as a JSON array. */
export async function writeChunkItems(
  objects: ObjectStore,
  jobId: string,
  items: readonly ChunkItem[],
): Promise<void> {
  await objects.put(chunkItemsKey(jobId), Buffer.from(JSON.stringify(items)), {
    contentType: 'application/json',
  });
}
