import type { DefinitionScheduler } from '../../ports/definition-scheduler.js';

function unconfigured(): Promise<never> {
  return Promise.reject(
    new Error('No job-definition scheduler is configured in this process (see SCHEDULE_GROUP_NAME)'),
  );
}

/**
 * The scheduler of a process that was given none: chunk workers and functions deployed without the scheduling
 * settings, none of which manage definitions. Any call is a wiring mistake and fails loudly.
 */
export const UNCONFIGURED_SCHEDULER: DefinitionScheduler = {
  upsert: unconfigured,
  remove: unconfigured,
  list: unconfigured,
};
