/**
 * Workflow step 1: checks the job against its pinned model, plans its input into chunks and moves it to RUNNING.
 * Anything wrong with the data, the spec or the model ends the job ABORTED with a statusDetails that says what.
 */

import { autoChunkBytes } from '../../domain/chunk-size.js';
import {
  DataSourceError,
  ModelError,
  NotSupportedError,
  ScoringError,
  ValidationError,
} from '../../domain/errors.js';
import { outputHeader } from '../../engine/scoring/score-chunk.js';
import { JobStateConflictError } from '../../ports/job-store.js';
import type { Deps } from '../deps.js';
import { chunkItems, writeChunkItems } from './chunk-items.js';
import { writeChunkPlan } from './chunk-plan.js';
import { failJob } from './fail-job.js';
import { isInputReady } from './intake/input-ready.js';
import { materializeInput } from './intake/intake-sources.js';
import { convertUploadedParquet, isParquetUpload } from './intake/parquet-upload.js';
import { removePartialOutput } from './job-cleanup.js';
import { jobSettings, requireJob } from './job-context.js';
import { scoringDialect, toOutputEncoding } from './job-encoding.js';
import { outputHeaderKey } from './job-keys.js';
import type { ModelCache } from './model-cache.js';
import { withPinnedModel } from './pinned-model.js';
import { planJobInput } from './plan-input.js';

export interface PreparedJob {
  readonly chunksTotal: number;
}

/**
 * Prepares an INITIALIZING job whose input is complete: writes `chunks.json`, `chunk-items.json` (the state
 * machine's Map items, each with its worker) and `output-header`, then moves the job to RUNNING with chunksTotal
 * and started. Returns null when there is nothing to run: the job was not waiting (a duplicate start, or aborted
 * meanwhile) or it was just ended ABORTED because its input cannot be scored.
 */
export async function prepareJob(deps: Deps, jobId: string, models: ModelCache): Promise<PreparedJob | null> {
  const job = await requireJob(deps, jobId);
  if (job.status !== 'INITIALIZING' || !isInputReady(job)) return null;
  let chunksTotal: number;
  let transcoded: boolean;
  let intakeSize = job.jobIntakeSize;
  try {
    const { spec, dialect, scoring } = jobSettings(job);
    // External intake (s3, jdbc, dataset...) is read here, once, into the parts an upload would have left.
    intakeSize ??= await materializeInput(deps, job, spec);
    if (isParquetUpload(spec)) await convertUploadedParquet(deps, jobId, dialect);
    const chunkBytes = (inputBytes: number) =>
      typeof spec.chunkSize === 'number'
        ? spec.chunkSize
        : autoChunkBytes(inputBytes, spec.numConcurrent, deps.config.chunkBytes);
    const plan = await planJobInput(deps.objects, jobId, dialect, chunkBytes);
    const header = await withPinnedModel(deps, models, job.modelVersionId, async (model) =>
      outputHeader(model, plan.header, { scoring, dialect: scoringDialect(dialect, plan.transcoded) }),
    );
    await writeChunkPlan(deps.objects, jobId, plan);
    const modelBytes = (await deps.modelPackages.getById(job.modelVersionId))?.sizeBytes ?? 0;
    await writeChunkItems(deps.objects, jobId, chunkItems(jobId, plan.chunks, modelBytes));
    await deps.objects.put(outputHeaderKey(jobId), toOutputEncoding(header, dialect, plan.transcoded, true));
    chunksTotal = plan.chunks.length;
    transcoded = plan.transcoded;
  } catch (error) {
    if (!isJobProblem(error)) throw error;
    await failJob(deps, jobId, error.message);
    return null;
  }
  const now = deps.clock.now().toISOString();
  try {
    await deps.jobs.transition(jobId, ['INITIALIZING'], 'RUNNING', {
      chunksTotal,
      jobIntakeSize: intakeSize,
      started: now,
      statusDetails: `Job started processing at ${now}`,
    });
  } catch (error) {
    if (!(error instanceof JobStateConflictError)) throw error;
    await removePartialOutput(deps.objects, jobId);
    return null;
  }
  const note = transcoded ? '; the input was transcoded to UTF-8 to split it on record boundaries' : '';
  await deps.jobs.appendLog(
    jobId,
    `${now} Planned ${chunksTotal} chunk${chunksTotal === 1 ? '' : 's'}${note}`,
  );
  return { chunksTotal };
}

/** Errors that mean this job cannot run as asked (its data, spec or model), as opposed to a failing service. */
function isJobProblem(error: unknown): error is Error {
  return (
    error instanceof ScoringError ||
    error instanceof ValidationError ||
    error instanceof NotSupportedError ||
    error instanceof ModelError ||
    error instanceof DataSourceError
  );
}
