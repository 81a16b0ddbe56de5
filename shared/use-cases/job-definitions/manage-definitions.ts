/**
 * Create, read, update and delete job definitions (DataRobot's `batchPredictionJobDefinitions/`). Every change
 * is stored first and then mirrored to the scheduler, so the scheduler never holds entries of a definition the
 * store does not have enabled; a crash in between is repaired by the next change or by the scheduled run itself,
 * which re-syncs a definition whose entries it finds stale (run-definition.ts).
 */
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import {
  definitionAsInput,
  type JobDefinitionRecord,
  newDefinitionRecord,
  parseDefinitionSettings,
} from '../../domain/job-definition.js';
import type { DefinitionQuery } from '../../ports/definition-store.js';
import type { Deps } from '../deps.js';
import { checkJobSpec } from '../jobs/create-job.js';
import { syncSchedule } from './sync-schedule.js';

/**
 * Stores a new definition and arms its schedule. Throws ValidationError (bad spec, schedule or template, with the
 * template's line:column), NotFoundError (deployment or credential not the caller's), ConflictError (name taken).
 */
export async function createDefinition(
  deps: Deps,
  ownerId: string,
  body: unknown,
): Promise<JobDefinitionRecord> {
  const settings = parseDefinitionSettings(body);
  await checkJobSpec(deps, ownerId, settings.spec);
  const record = newDefinitionRecord({
    ...settings,
    id: deps.newId(),
    ownerId,
    created: deps.clock.now().toISOString(),
  });
  await deps.definitions.create(record);
  try {
    await syncSchedule(deps, record);
  } catch (error) {
    // Without its schedule the definition would silently never run: undo it and let the caller retry.
    await deps.definitions.delete(ownerId, record.id);
    throw error;
  }
  return record;
}

/** One of the owner's definitions; NotFoundError otherwise. */
export async function getDefinition(deps: Deps, ownerId: string, id: string): Promise<JobDefinitionRecord> {
  const definition = await deps.definitions.get(ownerId, id);
  if (!definition) throw new NotFoundError('job definition', id.slice(0, 64));
  return definition;
}

/** A page of the owner's definitions, newest first. */
export function listDefinitions(
  deps: Deps,
  ownerId: string,
  query: DefinitionQuery,
): Promise<{ items: JobDefinitionRecord[]; totalCount: number }> {
  return deps.definitions.list(ownerId, query);
}

/**
 * `PATCH batchPredictionJobDefinitions/<id>`: the body (any of name, enabled, schedule, trigger and job spec
 * fields, as the Python client's update() sends them) is merged over the stored definition and validated whole,
 * then the scheduler follows. Throws as createDefinition, and NotFoundError for a missing definition.
 */
export async function updateDefinition(
  deps: Deps,
  ownerId: string,
  id: string,
  body: unknown,
): Promise<JobDefinitionRecord> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError([{ field: '', message: 'expected a JSON object' }]);
  }
  const current = await getDefinition(deps, ownerId, id);
  const settings = parseDefinitionSettings({ ...definitionAsInput(current), ...body });
  await checkJobSpec(deps, ownerId, settings.spec);
  const updated = await deps.definitions.update(current, {
    name: settings.name ?? current.name,
    enabled: settings.enabled,
    schedule: settings.schedule,
    trigger: settings.trigger,
    spec: settings.spec,
    updated: deps.clock.now().toISOString(),
    updatedBy: ownerId,
  });
  await syncSchedule(deps, updated);
  return updated;
}

/**
 * Deletes the definition and its schedule, freeing its name. A job it started keeps running (seed 002: "If a job
 * is currently running, this will finish execution regardless").
 */
export async function deleteDefinition(deps: Deps, ownerId: string, id: string): Promise<void> {
  const definition = await getDefinition(deps, ownerId, id);
  await deps.definitions.delete(ownerId, definition.id);
  await deps.scheduler.remove(definition.id);
}
