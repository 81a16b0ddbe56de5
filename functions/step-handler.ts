/**
 * What the Step Functions task handlers (functions/step-*.ts) share: one middy wrapper that runs a step's core on
 * the process's ports, traced, with its job metrics recorded, and logs what it throws (Step Functions then retries
 * or catches it), event parsing, and one model cache per process.
 */
import middy from '@middy/core';
import type { z } from 'zod';
import { lambdaObservability, logger, recordStepMetrics } from '../shared/observability/observability.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { ModelCache } from '../shared/use-cases/jobs/model-cache.js';
import { getDeps } from './composition.js';

/** The 24-hex-character job id every step event carries. */
export const JOB_ID = /^[0-9a-f]{24}$/;

/** Models loaded by earlier invocations in this process (a warm Lambda container, a local worker thread). */
export const processModels = new ModelCache();

/** A step's core: what it does for one event, given the ports. */
export type StepCore<R> = (deps: Deps, event: unknown) => Promise<R>;

/**
 * The Lambda handler of a step: `run` on the process's ports. An error is logged with the event and thrown
 * again, so that the state machine sees it (its name is the Error that Retry and Catch match).
 */
export function stepHandler<R>(step: string, run: StepCore<R>) {
  return middy<unknown, R>()
    .use(lambdaObservability())
    .use({
      onError: async (request) => {
        logger.error(`${step} failed`, { error: request.error as Error, event: request.event });
      },
    })
    .handler(async (event) => {
      const deps = await getDeps();
      const started = performance.now();
      const output = await run(deps, event);
      await recordStepMetrics(deps, output, performance.now() - started);
      return output;
    });
}

/** Parses a step's event, naming the step and the problems when it is malformed. */
export function parseStepEvent<S extends z.ZodType>(step: string, schema: S, event: unknown): z.output<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new StepEventError(`${step} got a malformed event: ${problems}`);
  }
  return parsed.data;
}

/** A step event that does not match the contract with the state machine: a bug, never retried. */
export class StepEventError extends Error {
  override readonly name = 'StepEventError';
}
