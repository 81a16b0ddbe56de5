/**
 * Input arriving for a localFile job: the upload data plane (and, on AWS, the S3 event of a direct upload) ends
 * here. Parts are stored as they come; completing the input fixes its size and queues the job on its deployment.
 */
import type { Readable } from 'node:stream';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import type { JobRecord } from '../../domain/job.js';
import { parseJobSpec } from '../../domain/job-spec.js';
import type { Deps } from '../deps.js';
import { dispatchQueued } from './dispatch.js';
import { requireJob } from './job-context.js';
import { inputPartKey, inputPartNumber, inputPrefix } from './job-keys.js';

/** Highest part number the object layout can hold (six digits). */
export const MAX_INPUT_PART = 999_999;

/**
 * Stores one part of a job's input at `jobs/<id>/input/<part>` (part 0 for a single upload).
 *
 * @throws NotFoundError for an unknown job, ValidationError for a part number outside 0..999999, and
 *   ConflictError when the job is no longer waiting for input or its input is already complete.
 */
export async function putInputPart(
  deps: Deps,
  jobId: string,
  partIndex: number,
  body: Readable | Buffer,
): Promise<void> {
  if (!Number.isInteger(partIndex) || partIndex < 0 || partIndex > MAX_INPUT_PART) {
    throw new ValidationError([
      { field: 'part', message: `expected an integer from 0 to ${MAX_INPUT_PART}` },
    ]);
  }
  assertAcceptsInput(await requireJob(deps, jobId));
  await deps.objects.put(inputPartKey(jobId, partIndex), body, { contentType: 'text/csv' });
}

/**
 * Marks the job's input complete (jobIntakeSize = the sum of its parts' sizes) and queues it on its deployment,
 * starting it at once when the deployment has a free slot. The mark is a conditional write, so of two completions
 * racing, one wins and the other gets a ConflictError. The job is queued before the mark, so a crash after the
 * mark leaves it queued for the next dispatch rather than lost; dispatching skips queued jobs whose input is not
 * marked complete.
 *
 * @throws NotFoundError for an unknown job, ConflictError when the input was already completed or the job is no
 *   longer INITIALIZING.
 */
export async function completeInput(deps: Deps, jobId: string): Promise<JobRecord> {
  const waiting = await requireJob(deps, jobId);
  assertAcceptsInput(waiting);
  const parts = (await deps.objects.list(inputPrefix(jobId))).filter(
    (o) => inputPartNumber(jobId, o.key) !== null,
  );
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  await deps.jobs.enqueue(waiting);
  const job = await deps.jobs.markInputComplete(jobId, size);
  if (!job) {
    // Another completion won (its entry is the same one), or the job stopped waiting meanwhile.
    const current = await requireJob(deps, jobId);
    if (current.status !== 'INITIALIZING') await deps.jobs.dequeue(current);
    throw alreadyComplete(jobId);
  }
  await deps.jobs.appendLog(
    jobId,
    `${deps.clock.now().toISOString()} Input received: ${size} bytes in ${parts.length} part${parts.length === 1 ? '' : 's'}`,
  );
  await dispatchQueued(deps, job.deploymentId);
  return job;
}

function assertAcceptsInput(job: JobRecord): void {
  const intake = parseJobSpec(job.spec).intakeSettings.type;
  if (intake !== 'localFile') {
    throw new ConflictError(`Job ${job.id} reads its input from ${intake}; it takes no upload`);
  }
  if (job.status !== 'INITIALIZING') {
    throw new ConflictError(`Job ${job.id} is ${job.status} and no longer accepts input`);
  }
  if (job.jobIntakeSize !== null) throw alreadyComplete(job.id);
}

function alreadyComplete(jobId: string): ConflictError {
  return new ConflictError(`The input of job ${jobId} was already uploaded`);
}
