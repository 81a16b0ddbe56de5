/**
 * State machine step `ScoreChunk` (and, through functions/chunk-worker-main.ts, the Fargate worker): scores one
 * chunk item `{ jobId, index, worker }` of the Map (scoreChunkStep).
 */
import { z } from 'zod';
import type { Deps } from '../shared/use-cases/deps.js';
import type { ModelCache } from '../shared/use-cases/jobs/model-cache.js';
import { type ChunkOutcome, scoreChunkStep } from '../shared/use-cases/jobs/score-chunk-step.js';
import { JOB_ID, parseStepEvent, processModels, stepHandler } from './step-handler.js';

const ScoreChunkEventSchema = z.object({
  jobId: z.string().regex(JOB_ID),
  index: z.int().min(0),
  worker: z.enum(['lambda', 'fargate']).optional(),
});

export interface ScoreChunkOutput {
  readonly jobId: string;
  readonly index: number;
  readonly outcome: ChunkOutcome;
}

/** Scores the chunk. Scoring a chunk again (a retry, a duplicate delivery) writes the same part and counts it once. */
export async function run(
  deps: Deps,
  event: unknown,
  models: ModelCache = processModels,
): Promise<ScoreChunkOutput> {
  const { jobId, index } = parseStepEvent('ScoreChunk', ScoreChunkEventSchema, event);
  return { jobId, index, outcome: await scoreChunkStep(deps, jobId, index, models) };
}

/** Lambda entry point (state machine task inside the Map). */
export const handler = stepHandler('ScoreChunk', run);
