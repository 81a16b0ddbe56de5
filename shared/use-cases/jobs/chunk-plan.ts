/**
 * The chunk plan prepare writes to `jobs/<id>/chunks.json` and every chunk step reads: the shared header record,
 * and for each chunk the input part and byte range it covers.
 */
import { z } from 'zod';
import type { ObjectStore } from '../../ports/object-store.js';
import { chunkPlanKey, inputPartKey, transcodedPartKey } from './job-keys.js';
import { readObject } from './object-bytes.js';

const count = () => z.int().min(0);

const JobChunkSchema = z.strictObject({
  index: count(),
  /** The input part the chunk lies in. */
  part: count(),
  /** Byte range [start, end) within that part. */
  start: count(),
  end: count(),
});
export type JobChunk = z.infer<typeof JobChunkSchema>;

const StoredPlanSchema = z.strictObject({
  /** The header record (terminator included), base64. */
  header: z.base64(),
  /** Bytes of input planned over, all parts together. */
  totalBytes: count(),
  /** True when the chunks index UTF-8 copies of the input parts rather than the uploads themselves. */
  transcoded: z.boolean(),
  chunks: z.array(JobChunkSchema),
});

export interface JobChunkPlan {
  readonly header: Buffer;
  readonly totalBytes: number;
  readonly transcoded: boolean;
  readonly chunks: readonly JobChunk[];
}

/** Stores a job's chunk plan. */
export async function writeChunkPlan(objects: ObjectStore, jobId: string, plan: JobChunkPlan): Promise<void> {
  const stored: z.infer<typeof StoredPlanSchema> = {
    ...plan,
    header: plan.header.toString('base64'),
    chunks: [...plan.chunks],
  };
  await objects.put(chunkPlanKey(jobId), Buffer.from(JSON.stringify(stored)), {
    contentType: 'application/json',
  });
}

/** Reads a job's chunk plan. Throws ObjectNotFoundError when prepare has not written one. */
export async function readChunkPlan(objects: ObjectStore, jobId: string): Promise<JobChunkPlan> {
  const stored = StoredPlanSchema.parse(
    JSON.parse((await readObject(objects, chunkPlanKey(jobId))).toString('utf8')),
  );
  return { ...stored, header: Buffer.from(stored.header, 'base64') };
}

/** The object a chunk's bytes are read from. */
export function chunkSourceKey(jobId: string, plan: JobChunkPlan, chunk: JobChunk): string {
  return plan.transcoded ? transcodedPartKey(jobId, chunk.part) : inputPartKey(jobId, chunk.part);
}
