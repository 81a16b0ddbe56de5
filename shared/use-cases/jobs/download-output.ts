/**
 * The job's output as the download route streams it. While the job is RUNNING it follows the scored parts in
 * order, waiting for each next one, and ends once every chunk is counted; when the job is COMPLETED it streams the
 * joined output object, or the same parts where they are kept as the output. If the job is aborted meanwhile the stream throws, so the HTTP layer breaks the connection and
 * the client never mistakes a truncated file for a complete one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { JobRecord } from '../../domain/job.js';
import { parseJobSpec } from '../../domain/job-spec.js';
import { ObjectNotFoundError } from '../../ports/object-store.js';
import type { Deps } from '../deps.js';
import { outputHeaderKey, outputKey, partKey } from './job-keys.js';

export interface DownloadOptions {
  /** How long to wait before looking again for a part that is not scored yet. */
  readonly pollMs: number;
  /**
   * Stops following the output: the stream throws at its next wait. A reader that gives up (client gone,
   * invocation deadline) aborts, or the follower would poll on until the job ends.
   */
  readonly signal?: AbortSignal;
}

/** The job was aborted before or while its output was being downloaded. */
export class JobAbortedError extends ConflictError {
  override name = 'JobAbortedError';
  constructor(
    readonly jobId: string,
    readonly statusDetails: string,
  ) {
    super(`Job ${jobId} was aborted: ${statusDetails}`);
  }
}

/**
 * Opens the owner's job output for download. Returns null when the job does not exist, belongs to someone else,
 * or has no output yet (INITIALIZING).
 *
 * @throws ValidationError when the job's output does not go to a local file (nothing to download), and
 *   JobAbortedError when the job was aborted. The returned stream throws JobAbortedError if the job is aborted
 *   while it is being read.
 */
export async function openDownload(
  deps: Deps,
  ownerId: string,
  jobId: string,
  options: DownloadOptions,
): Promise<AsyncIterable<Buffer> | null> {
  const job = await deps.jobs.get(ownerId, jobId);
  if (!job) return null;
  const output = parseJobSpec(job.spec).outputSettings.type;
  if (output !== 'localFile') {
    throw new ValidationError([
      {
        field: 'outputSettings.type',
        message: `the job writes its output to ${output}; there is no file to download`,
      },
    ]);
  }
  if (job.status === 'INITIALIZING') return null;
  if (job.status === 'ABORTED') throw new JobAbortedError(jobId, job.statusDetails);
  return followOutput(deps, ownerId, job, options);
}

/**
 * Follows the output: header, then each part once it exists, then ends when every chunk is counted; switches to
 * the joined output (from the same byte offset) once the job is COMPLETED, if finalize joined the parts into one
 * object and removed them.
 * A part that vanishes mid-read (finalize removes the parts) or a read that ends short of the object's size is
 * resumed from the same byte after a pause, never passed on as if it were complete.
 */
async function* followOutput(
  deps: Deps,
  ownerId: string,
  first: JobRecord,
  { pollMs, signal }: DownloadOptions,
): AsyncGenerator<Buffer> {
  const jobId = first.id;
  const refresh = async (): Promise<JobRecord> => {
    const job = await deps.jobs.get(ownerId, jobId);
    if (!job) throw new NotFoundError('job', jobId);
    if (job.status === 'ABORTED') throw new JobAbortedError(jobId, job.statusDetails);
    return job;
  };
  let offset = 0;
  /** Yields bytes [from, size) of `key`; returns whether all arrived (false when it vanished or ended short). */
  const readFrom = async function* (
    key: string,
    from: number,
    size: number,
  ): AsyncGenerator<Buffer, boolean> {
    if (from >= size) return true;
    let read = from;
    try {
      const stream = await deps.objects.get(key, { start: from, end: size });
      for await (const piece of stream as AsyncIterable<Buffer>) {
        read += piece.length;
        offset += piece.length;
        yield piece;
      }
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) throw error;
    }
    return read >= size;
  };
  let job = first;
  let next = -1; // -1 is the output header, then the chunks' parts from 0
  let nextStart = 0; // where `next` begins in the output
  // Whether the completed job's output was joined into one object, or its parts are kept as the output.
  let joined: boolean | null = null;
  for (;;) {
    signal?.throwIfAborted();
    if (job.status === 'COMPLETED' && joined === null) {
      joined = (await deps.objects.head(outputKey(jobId))) !== null;
    }
    if (joined === true) {
      if (yield* readFrom(outputKey(jobId), offset, job.jobOutputSize ?? 0)) return;
      if (!(await deps.objects.head(outputKey(jobId)))) throw new NotFoundError('output of job', jobId);
    } else if (next < job.chunksTotal) {
      const key = next < 0 ? outputHeaderKey(jobId) : partKey(jobId, next);
      const head = await deps.objects.head(key);
      if (head && (yield* readFrom(key, offset - nextStart, head.size))) {
        next++;
        nextStart = offset;
        job = await refresh();
        continue;
      }
    } else if (job.chunksDone >= job.chunksTotal) {
      return;
    }
    await sleep(pollMs, undefined, signal ? { signal } : {});
    job = await refresh();
  }
}
