/**
 * The target of every job-definition schedule: EventBridge Scheduler on AWS (infra/constructs/job-scheduling.ts),
 * the embedded stack's croner timers locally. The event is the schedule's input: the definition id, the
 * expression that fired and the scheduled time.
 */

import middy from '@middy/core';
import { lambdaObservability, logger, recordJobsCreated } from '../shared/observability/observability.js';
import type { ScheduledRunOutcome } from '../shared/use-cases/job-definitions/run-definition.js';
import { runScheduledDefinition } from '../shared/use-cases/job-definitions/run-definition.js';
import { getDeps } from './composition.js';

/**
 * Lambda entry point: starts the run (or skips it, logged; a started job counts in JobsCreated); errors other than
 * the user's are thrown for a retry.
 */
export const handler = middy<unknown, ScheduledRunOutcome>()
  .use(lambdaObservability())
  .handler(async (event) => {
    const outcome = await runScheduledDefinition(await getDeps(), event);
    if (outcome.outcome === 'started') recordJobsCreated(1);
    logger.info('scheduled job definition run', { event: event as Record<string, unknown>, ...outcome });
    return outcome;
  });
