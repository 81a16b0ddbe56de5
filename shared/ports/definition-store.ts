/** Durable job definitions. Owner-scoped: another owner's definition reads as missing. */
import type { DefinitionRunPatch, JobDefinitionRecord } from '../domain/job-definition.js';

export interface DefinitionQuery {
  readonly offset: number;
  readonly limit: number;
  /** Only the definition with exactly this name (DataRobot's `searchName`). */
  readonly searchName?: string;
  /** Only definitions scoring with this deployment. */
  readonly deploymentId?: string;
}

/** The settings a PATCH may change; `updated`/`updatedBy` are set by the caller, which owns the clock. */
export type DefinitionSettingsPatch = Pick<
  JobDefinitionRecord,
  'name' | 'enabled' | 'schedule' | 'trigger' | 'spec' | 'updated' | 'updatedBy'
>;

export interface JobDefinitionStore {
  /** Stores a new definition. Throws ConflictError when the owner has a definition with this name. */
  create(record: JobDefinitionRecord): Promise<void>;
  /** The definition, or null when it does not exist or belongs to another owner. */
  get(ownerId: string, id: string): Promise<JobDefinitionRecord | null>;
  /** The definition whoever owns it, or null; for scheduled runs, which act on an id alone. */
  getById(id: string): Promise<JobDefinitionRecord | null>;
  /** The owner's definitions, newest first. */
  list(
    ownerId: string,
    query: DefinitionQuery,
  ): Promise<{ items: JobDefinitionRecord[]; totalCount: number }>;
  /**
   * Replaces the settings of `current` (as read) with `patch`. A new name is claimed first: ConflictError when
   * another of the owner's definitions has it. Throws NotFoundError when the definition is gone.
   */
  update(current: JobDefinitionRecord, patch: DefinitionSettingsPatch): Promise<JobDefinitionRecord>;
  /** Sets run bookkeeping; false when the definition is gone. */
  recordRun(ownerId: string, id: string, patch: DefinitionRunPatch): Promise<boolean>;
  /** Appends a line to the definition's log, keeping the newest lines; false when the definition is gone. */
  appendLog(ownerId: string, id: string, line: string): Promise<boolean>;
  /** Deletes the definition and frees its name. Throws NotFoundError for a missing or foreign definition. */
  delete(ownerId: string, id: string): Promise<void>;
}
