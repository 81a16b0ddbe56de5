import { isTerminal, type JobRecord } from '../../domain/job.js';
import type { JobDefinitionRecord } from '../../domain/job-definition.js';
import { nextRunAfter } from '../../domain/schedule/schedule.js';
import type { Deps } from '../deps.js';

/** A definition with what its document shows live: its latest job and its next scheduled run. */
export interface DefinitionView {
  readonly definition: JobDefinitionRecord;
  readonly lastStartedJob: JobRecord | null;
  /** Null unless the definition is enabled and its schedule fires again. */
  readonly nextScheduledRunTime: Date | null;
  /** The stored outcome times, with the latest job's if it ended since the definition last ran. */
  readonly lastSuccessfulRunTime: string | null;
  readonly lastFailedRunTime: string | null;
}

/** The definition as its document shows it now, reading its latest job for the live status. */
export async function viewDefinition(deps: Deps, definition: JobDefinitionRecord): Promise<DefinitionView> {
  const job = definition.lastStartedJobId ? await deps.jobs.getById(definition.lastStartedJobId) : null;
  const ended = job && isTerminal(job.status) ? (job.finished ?? null) : null;
  const later = (stored: string | null, candidate: string | null) =>
    candidate !== null && (stored === null || candidate > stored) ? candidate : stored;
  return {
    definition,
    lastStartedJob: job,
    nextScheduledRunTime:
      definition.enabled && definition.schedule ? nextRunAfter(definition.schedule, deps.clock.now()) : null,
    lastSuccessfulRunTime: later(
      definition.lastSuccessfulRunTime,
      job?.status === 'COMPLETED' ? ended : null,
    ),
    lastFailedRunTime: later(definition.lastFailedRunTime, job?.status === 'ABORTED' ? ended : null),
  };
}
