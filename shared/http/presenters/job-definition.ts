import { dropKeyPrefix } from '../../domain/job-definition.js';
import type { DefinitionView } from '../../use-cases/job-definitions/definition-view.js';

function user(id: string): Record<string, string> {
  return { username: id, userId: id, fullName: id };
}

/**
 * DataRobot's job definition document (protocol §5): the job spec as `batchPredictionJob`, the schedule, who
 * created and updated it, and the run bookkeeping. `trigger` (with the key prefix it watches) and `logs` (skipped
 * runs) are Batchline's additions.
 */
export function jobDefinitionDocument(view: DefinitionView): Record<string, unknown> {
  const d = view.definition;
  return {
    id: d.id,
    name: d.name,
    enabled: d.enabled,
    schedule: d.schedule,
    batchPredictionJob: d.spec,
    created: d.created,
    updated: d.updated,
    createdBy: user(d.ownerId),
    updatedBy: user(d.updatedBy),
    lastScheduledRunTime: d.lastScheduledRunTime,
    nextScheduledRunTime: view.nextScheduledRunTime?.toISOString() ?? null,
    lastStartedJobStatus: view.lastStartedJob?.status ?? null,
    lastStartedJobTime: d.lastStartedJobTime,
    lastSuccessfulRunTime: view.lastSuccessfulRunTime,
    lastFailedRunTime: view.lastFailedRunTime,
    trigger: d.trigger && { ...d.trigger, keyPrefix: dropKeyPrefix(d.ownerId, d.trigger) },
    logs: d.logs,
  };
}
