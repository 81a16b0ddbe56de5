/**
 * State machine step `PrepareJob`: plans the job into chunks and writes the Map's items (prepareJob), with the
 * execution input `{ jobId, numConcurrent }`. Its output is the state the rest of the execution reads.
 */
import { z } from 'zod';
import type { Deps } from '../shared/use-cases/deps.js';
import { requireJob } from '../shared/use-cases/jobs/job-context.js';
import { chunkItemsKey } from '../shared/use-cases/jobs/job-keys.js';
import type { ModelCache } from '../shared/use-cases/jobs/model-cache.js';
import { prepareJob } from '../shared/use-cases/jobs/prepare-job.js';
import { JOB_ID, parseStepEvent, processModels, stepHandler } from './step-handler.js';

const PrepareEventSchema = z.object({ jobId: z.string().regex(JOB_ID), numConcurrent: z.int().min(1) });

export interface PrepareOutput {
  readonly jobId: string;
  readonly numConcurrent: number;
  readonly chunksTotal: number;
  /** Where the Map reads its items: `jobs/<id>/chunk-items.json`. */
  readonly itemsKey: string;
  /** True when there is nothing to score: the job has ended (ABORTED by prepare itself, or before it ran). */
  readonly aborted: boolean;
}

/**
 * Prepares the job. A job that is RUNNING already was prepared by an earlier attempt of this step whose answer
 * was lost (Step Functions retried it): it is carried on, not dropped, or it would stay RUNNING for ever.
 */
export async function run(
  deps: Deps,
  event: unknown,
  models: ModelCache = processModels,
): Promise<PrepareOutput> {
  const { jobId, numConcurrent } = parseStepEvent('PrepareJob', PrepareEventSchema, event);
  const prepared = await prepareJob(deps, jobId, models);
  const job = prepared === null ? await requireJob(deps, jobId) : null;
  const chunksTotal = prepared?.chunksTotal ?? (job?.status === 'RUNNING' ? job.chunksTotal : 0);
  return {
    jobId,
    numConcurrent,
    chunksTotal,
    itemsKey: chunkItemsKey(jobId),
    aborted: prepared === null && job?.status !== 'RUNNING',
  };
}

/** Lambda entry point (state machine task). */
export const handler = stepHandler('PrepareJob', run);
