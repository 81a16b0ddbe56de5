/**
 * The job runner on AWS, invoked asynchronously with `{ jobId }` by LambdaWorkflow once a job's input is complete.
 * It runs the same pipeline loop as the embedded stack (runJob). A job that needs more than one invocation's
 * 15 minutes is handed over: before a step that might not fit in the time left, the runner invokes itself with
 * `{ jobId, resumeFrom }` and returns, and the next invocation carries on from that chunk.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import type { Deps } from '../shared/use-cases/deps.js';
import { failJob } from '../shared/use-cases/jobs/fail-job.js';
import { ModelCache } from '../shared/use-cases/jobs/model-cache.js';
import { type NextStep, type RunOutcome, runJob } from '../shared/use-cases/jobs/run-job.js';
import { getDeps } from './composition.js';
import { logger } from './observability.js';

const JobRunnerEventSchema = z.object({
  jobId: z.string().regex(/^[0-9a-f]{24}$/),
  resumeFrom: z.int().min(0).optional(),
});

export type JobRunnerEvent = z.infer<typeof JobRunnerEventSchema>;

export interface JobRunnerOptions {
  /** Models loaded by earlier invocations of this container. */
  readonly models: ModelCache;
  /** Milliseconds this invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
  readonly timeLeftMs: () => number;
  /** Starts another invocation with `event`, without waiting for it. */
  readonly continueLater: (event: JobRunnerEvent) => Promise<void>;
}

/** A chunk is started only with at least this much time left, or twice the slowest chunk so far if more. */
const CHUNK_RESERVE_MS = 60_000;
/** Assembling the output copies every part once; a new invocation gets all of its 15 minutes for it. */
const FINALIZE_RESERVE_MS = 180_000;

/**
 * Runs (or continues) the job named by `event` within this invocation. An event that is not a job runner event
 * is logged and dropped, since retrying it cannot help. Returns what runJob returned, or null for a bad event.
 */
export async function runJobInvocation(
  event: unknown,
  deps: Deps,
  options: JobRunnerOptions,
): Promise<RunOutcome | null> {
  const parsed = JobRunnerEventSchema.safeParse(event);
  if (!parsed.success) {
    logger.error('job runner event dropped: expected {"jobId": <24 hex>, "resumeFrom"?: <chunk>}', { event });
    return null;
  }
  const { jobId, resumeFrom } = parsed.data;
  const outcome = await runJob(deps, jobId, {
    models: options.models,
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    pauseBefore: timeBudget(options.timeLeftMs),
    onUnexpectedError: (error) => logger.error('job step failed', { jobId, error: error as Error }),
  });
  if (outcome.kind === 'paused') await handOver(deps, jobId, outcome.nextChunk, options);
  return outcome;
}

/**
 * Whether to stop before `step` and leave it to a new invocation: the time left is measured before every step,
 * so the difference between two readings is how long the chunk in between took.
 */
export function timeBudget(timeLeftMs: () => number): (step: NextStep) => boolean {
  let slowestChunkMs = 0;
  let previousLeft: number | null = null;
  return (step) => {
    const left = timeLeftMs();
    if (previousLeft !== null) slowestChunkMs = Math.max(slowestChunkMs, previousLeft - left);
    previousLeft = left;
    const reserve =
      step.kind === 'finalize' ? FINALIZE_RESERVE_MS : Math.max(CHUNK_RESERVE_MS, 2 * slowestChunkMs);
    return left < reserve;
  };
}

async function handOver(deps: Deps, jobId: string, nextChunk: number, options: JobRunnerOptions) {
  try {
    await options.continueLater({ jobId, resumeFrom: nextChunk });
    logger.info('job handed over to a new invocation', { jobId, nextChunk });
  } catch (error) {
    // Nobody would pick the job up again: end it rather than leave it RUNNING for ever.
    logger.error('job hand-over failed', { jobId, error: error as Error });
    const detail = error instanceof Error ? error.message : String(error);
    await failJob(
      deps,
      jobId,
      `The job could not be completed: its runner could not continue it (${detail})`,
    );
  }
}

const models = new ModelCache();
let lambda: LambdaClient | undefined;

/** Lambda entry point (asynchronous invocation). */
export async function handler(event: unknown, context: Context): Promise<void> {
  const deps = await getDeps();
  await runJobInvocation(event, deps, {
    models,
    timeLeftMs: () => context.getRemainingTimeInMillis(),
    continueLater: async (next) => {
      lambda ??= new LambdaClient({});
      await lambda.send(
        new InvokeCommand({
          FunctionName: context.functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(next)),
        }),
      );
    },
  });
}
