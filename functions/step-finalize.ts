/** State machine step `FinalizeJob`: assembles the scored parts into the output and completes the job. */
import { z } from 'zod';
import type { Deps } from '../shared/use-cases/deps.js';
import { finalizeJob } from '../shared/use-cases/jobs/finalize-job.js';
import { JOB_ID, parseStepEvent, stepHandler } from './step-handler.js';

const FinalizeEventSchema = z.object({ jobId: z.string().regex(JOB_ID) });

export interface FinalizeOutput {
  readonly jobId: string;
  /** False when the job had ended meanwhile (aborted) or had no data rows (then ABORTED by this step). */
  readonly completed: boolean;
}

/** Finalizes the job named by `{ jobId }`. */
export async function run(deps: Deps, event: unknown): Promise<FinalizeOutput> {
  const { jobId } = parseStepEvent('FinalizeJob', FinalizeEventSchema, event);
  return { jobId, completed: await finalizeJob(deps, jobId) };
}

/** Lambda entry point (state machine task). */
export const handler = stepHandler('FinalizeJob', run);
