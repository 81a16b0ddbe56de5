import type { JobDefinitionRecord } from '../../domain/job-definition.js';
import { toSchedulerExpressions } from '../../domain/schedule/scheduler-expressions.js';
import type { Deps } from '../deps.js';

/** The scheduler expressions a definition should have now: none unless it is enabled and has a schedule. */
export function expectedExpressions(definition: JobDefinitionRecord): string[] {
  return definition.enabled && definition.schedule ? toSchedulerExpressions(definition.schedule) : [];
}

/**
 * Brings the scheduler in step with the definition as stored: its entries become exactly the expressions of its
 * schedule while it is enabled, and none otherwise. Idempotent, so any path may call it again to repair.
 */
export async function syncSchedule(deps: Deps, definition: JobDefinitionRecord): Promise<void> {
  const expressions = expectedExpressions(definition);
  if (expressions.length === 0) await deps.scheduler.remove(definition.id);
  else await deps.scheduler.upsert(definition.id, expressions);
}
