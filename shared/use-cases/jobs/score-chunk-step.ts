/**
 * Workflow step 2, once per chunk: scores the chunk's byte range with the pinned model, stores the scored part,
 * then counts the chunk. The part is written before the count, so a counted chunk always has its part; a
 * duplicate delivery rewrites identical bytes and is not counted again.
 */
import { ScoringError } from '../../domain/errors.js';
import { scoreChunk } from '../../engine/scoring/score-chunk.js';
import { withDeploymentWarnings } from '../deployments/prediction-warning-settings.js';
import type { Deps } from '../deps.js';
import { monitorChunk } from '../monitoring/chunk-monitoring.js';
import { chunkSourceKey, readChunkPlan } from './chunk-plan.js';
import { failJob } from './fail-job.js';
import { jobSettings, requireJob } from './job-context.js';
import { scoringDialect, toOutputEncoding } from './job-encoding.js';
import { partKey } from './job-keys.js';
import type { ModelCache } from './model-cache.js';
import { readObject } from './object-bytes.js';
import { withPinnedModel } from './pinned-model.js';

/** scored: counted now; duplicate: counted before; stopped: the job is not RUNNING (any more), go no further. */
export type ChunkOutcome = 'scored' | 'duplicate' | 'stopped';

/**
 * Scores chunk `index` of a RUNNING job. A chunk that cannot be scored (a failed row with abortOnError, malformed
 * records) ends the job ABORTED, naming the chunk. Throws RangeError for an index outside the plan.
 */
export async function scoreChunkStep(
  deps: Deps,
  jobId: string,
  index: number,
  models: ModelCache,
): Promise<ChunkOutcome> {
  const job = await requireJob(deps, jobId);
  if (job.status !== 'RUNNING') return 'stopped';
  const { dialect, scoring } = jobSettings(job);
  const plan = await readChunkPlan(deps.objects, jobId);
  const chunk = plan.chunks[index];
  if (!chunk)
    throw new RangeError(`Job ${jobId} has ${plan.chunks.length} chunks; there is no chunk ${index}`);
  const bytes = await readObject(deps.objects, chunkSourceKey(jobId, plan, chunk), chunk);
  const monitoring = await monitorChunk(deps, job, index);
  const withWarnings = await withDeploymentWarnings(deps, job, scoring);
  let result: Awaited<ReturnType<typeof scoreChunk>>;
  try {
    result = await withPinnedModel(deps, models, job.modelVersionId, (model) =>
      scoreChunk(model, plan.header, bytes, {
        scoring: monitoring.scoring(withWarnings),
        dialect: scoringDialect(dialect, plan.transcoded),
      }),
    );
  } catch (error) {
    if (!(error instanceof ScoringError)) throw error;
    // The engine counts rows from the start of the chunk; the absolute row number is not known here.
    await failJob(deps, jobId, `in chunk ${index + 1} of ${plan.chunks.length}: ${error.message}`);
    return 'stopped';
  }
  const key = partKey(jobId, index);
  await deps.objects.put(key, toOutputEncoding(result.bytes, dialect, plan.transcoded, false));
  await monitoring.save();
  const { scoredRows, failedRows, skippedRows } = result.counts;
  const done = await deps.jobs.recordChunkDone(jobId, index, { scoredRows, failedRows, skippedRows });
  if (done.applied) return 'scored';
  if (done.job.status === 'RUNNING') return 'duplicate';
  // The job ended while this chunk was scoring: its cleanup may already have run, so remove this late part too.
  await deps.objects.delete(key);
  return 'stopped';
}
