/**
 * The job steps chained in one loop (prepare, every chunk in order, finalize) for tests of the use cases. The loop
 * re-reads the job before every chunk (scoreChunkStep does), so it stops once the job is ABORTED.
 */
import { DomainError } from '../../shared/domain/errors.js';
import type { Deps } from '../../shared/use-cases/deps.js';
import { failJob } from '../../shared/use-cases/jobs/fail-job.js';
import { finalizeJob } from '../../shared/use-cases/jobs/finalize-job.js';
import { requireJob } from '../../shared/use-cases/jobs/job-context.js';
import type { ModelCache } from '../../shared/use-cases/jobs/model-cache.js';
import { prepareJob } from '../../shared/use-cases/jobs/prepare-job.js';
import { scoreChunkStep } from '../../shared/use-cases/jobs/score-chunk-step.js';

/** The step a run is about to take after preparing: a chunk (by index) or the final assembly. */
export type NextStep = { readonly kind: 'chunk'; readonly index: number } | { readonly kind: 'finalize' };

export interface RunJobOptions {
  readonly models: ModelCache;
  /**
   * Continue a RUNNING job from this chunk (a continuation of an earlier run that paused); absent, the job must be
   * INITIALIZING with its input complete and is prepared first. A continuation whose job has moved on (its
   * chunksDone differs) is stale, e.g. a redelivered event, and does nothing.
   */
  readonly resumeFrom?: number;
  /** Asked before every step; true ends the run there and leaves the job as it is (it was aborted meanwhile). */
  readonly stopRequested?: () => boolean;
  /** Asked before every step after prepare; true ends the run there so that a continuation can take over. */
  readonly pauseBefore?: (step: NextStep) => boolean;
  /** Told about errors that are not the job's fault (outages, bugs); the job is failed either way. */
  readonly onUnexpectedError?: (error: unknown) => void;
}

/** ended: nothing more to do for this job; paused: call again with `resumeFrom: nextChunk`. */
export type RunOutcome = { readonly kind: 'ended' } | { readonly kind: 'paused'; readonly nextChunk: number };

const ENDED: RunOutcome = { kind: 'ended' };

/**
 * Runs the job's pipeline in this process. Never throws for a failing step: the job then ends ABORTED with
 * `The job could not be completed: <reason>` as its statusDetails.
 */
export async function runJob(deps: Deps, jobId: string, options: RunJobOptions): Promise<RunOutcome> {
  try {
    return await runSteps(deps, jobId, options);
  } catch (error) {
    await failUnexpectedly(deps, jobId, error, options.onUnexpectedError ?? (() => {}));
    return ENDED;
  }
}

async function runSteps(deps: Deps, jobId: string, options: RunJobOptions): Promise<RunOutcome> {
  const stopped = options.stopRequested ?? (() => false);
  const pause = options.pauseBefore ?? (() => false);
  const start = await startingPoint(deps, jobId, options);
  if (start === null) return ENDED;
  for (let index = start.nextChunk; index < start.chunksTotal; index++) {
    if (stopped()) return ENDED;
    if (pause({ kind: 'chunk', index })) return { kind: 'paused', nextChunk: index };
    if ((await scoreChunkStep(deps, jobId, index, options.models)) === 'stopped') return ENDED;
  }
  if (stopped()) return ENDED;
  if (pause({ kind: 'finalize' })) return { kind: 'paused', nextChunk: start.chunksTotal };
  await finalizeJob(deps, jobId);
  return ENDED;
}

/** Where this run begins, or null when there is nothing to run (a duplicate start or a stale continuation). */
async function startingPoint(
  deps: Deps,
  jobId: string,
  options: RunJobOptions,
): Promise<{ nextChunk: number; chunksTotal: number } | null> {
  if (options.resumeFrom === undefined) {
    const prepared = await prepareJob(deps, jobId, options.models);
    return prepared && { nextChunk: 0, chunksTotal: prepared.chunksTotal };
  }
  const job = await requireJob(deps, jobId);
  if (job.status !== 'RUNNING' || job.chunksDone !== options.resumeFrom) return null;
  return { nextChunk: options.resumeFrom, chunksTotal: job.chunksTotal };
}

async function failUnexpectedly(
  deps: Deps,
  jobId: string,
  error: unknown,
  report: (error: unknown) => void,
): Promise<void> {
  if (!(error instanceof DomainError)) report(error);
  const detail = error instanceof Error ? error.message : String(error);
  try {
    await failJob(deps, jobId, `The job could not be completed: ${detail}`);
  } catch (failure) {
    report(failure);
  }
}
