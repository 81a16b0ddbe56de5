/**
 * State machine step `FailJob` (every Catch path, and the runtime-limit rule when an execution times out): ends
 * the job ABORTED with a statusDetails made from the Step Functions error, and removes its partial output.
 */
import { z } from 'zod';
import type { Deps } from '../shared/use-cases/deps.js';
import { failJob } from '../shared/use-cases/jobs/fail-job.js';
import { RUNTIME_LIMIT_ERROR } from '../shared/use-cases/jobs/runtime-limit.js';
import { JOB_ID, parseStepEvent, stepHandler } from './step-handler.js';

const StepErrorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });
const FailEventSchema = z.object({ jobId: z.string().regex(JOB_ID), error: StepErrorSchema.optional() });

/** A caught error as Step Functions passes it (Catch ResultPath `$.error`). */
export type StepError = z.infer<typeof StepErrorSchema>;

export interface FailOutput {
  readonly jobId: string;
  /** False when the job had ended already (the first terminal state wins). */
  readonly aborted: boolean;
}

const CANNOT_COMPLETE = 'The job could not be completed';

/**
 * The statusDetails for a job ended by `error`: the message of a failed Lambda step, why a Fargate worker
 * stopped, or the error itself, after "The job could not be completed:"; the runtime limit's own words.
 */
export function failureReason(error: StepError | undefined): string {
  if (error?.Error === RUNTIME_LIMIT_ERROR && error.Cause) return error.Cause;
  const cause = parsedCause(error?.Cause);
  if (typeof cause?.errorMessage === 'string') return `${CANNOT_COMPLETE}: ${cause.errorMessage}`;
  if (typeof cause?.StoppedReason === 'string') {
    const exitCode = Array.isArray(cause.Containers)
      ? (cause.Containers[0] as { ExitCode?: unknown })?.ExitCode
      : undefined;
    const exit = typeof exitCode === 'number' ? ` (exit code ${exitCode})` : '';
    return `${CANNOT_COMPLETE}: its Fargate chunk worker stopped: ${cause.StoppedReason}${exit}`;
  }
  if (error?.Error === 'States.Timeout') return `${CANNOT_COMPLETE}: a step ran past its time limit`;
  const detail = error?.Cause || error?.Error;
  return detail ? `${CANNOT_COMPLETE}: ${detail}` : CANNOT_COMPLETE;
}

/** A Lambda error or an ECS task description, as Step Functions puts it into Cause; null for plain text. */
function parsedCause(cause: string | undefined): Record<string, unknown> | null {
  if (!cause?.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(cause);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Ends the job named by `{ jobId, error }` ABORTED, unless it has ended already. */
export async function run(deps: Deps, event: unknown): Promise<FailOutput> {
  const { jobId, error } = parseStepEvent('FailJob', FailEventSchema, event);
  return { jobId, aborted: await failJob(deps, jobId, failureReason(error)) };
}

/** Lambda entry point (state machine task, and the runtime-limit rule's target). */
export const handler = stepHandler('FailJob', run);
