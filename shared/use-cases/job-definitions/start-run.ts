/**
 * Starting one run of a job definition, however it was started (run_once, the scheduler, an S3 drop): the job
 * spec is rendered with the run's template values and a job is created that points back to the definition. The
 * job's id derives from the definition and the run's key, so a run delivered twice (a retried Lambda, two
 * scheduler entries firing at one time, a duplicated S3 event) creates one job.
 */
import { createHash } from 'node:crypto';
import { isTerminal, type JobRecord } from '../../domain/job.js';
import type { DefinitionRunPatch, JobDefinitionRecord } from '../../domain/job-definition.js';
import type { JobSpec } from '../../domain/job-spec.js';
import { renderJobSpec, type TemplateValues } from '../../domain/templates/template.js';
import { JobAlreadyExistsError } from '../../ports/job-store.js';
import type { Deps } from '../deps.js';
import { createJobFromSpec } from '../jobs/create-job.js';

/** The id of a run's job: 24 hex characters, like every id, fixed by the definition and the run's key. */
export function runJobId(definitionId: string, runKey: string): string {
  return createHash('sha256').update(`${definitionId}\n${runKey}`).digest('hex').slice(0, 24);
}

/** How the definition's previous run stands, once its outcome (if it ended) is recorded on the definition. */
export interface PreviousRun {
  readonly definition: JobDefinitionRecord;
  /** The latest job started from the definition, or null (never run, or the job is gone). */
  readonly job: JobRecord | null;
}

/**
 * Records the outcome of the definition's latest job if it has ended since (lastSuccessfulRunTime or
 * lastFailedRunTime), and returns the definition as updated with that job.
 */
export async function settlePreviousRun(deps: Deps, definition: JobDefinitionRecord): Promise<PreviousRun> {
  const job = definition.lastStartedJobId ? await deps.jobs.getById(definition.lastStartedJobId) : null;
  if (!job || !isTerminal(job.status) || job.finished === undefined) return { definition, job };
  const field = job.status === 'COMPLETED' ? 'lastSuccessfulRunTime' : 'lastFailedRunTime';
  const recorded = definition[field];
  if (recorded !== null && recorded >= job.finished) return { definition, job };
  await deps.definitions.recordRun(definition.ownerId, definition.id, { [field]: job.finished });
  return { definition: { ...definition, [field]: job.finished }, job };
}

export interface RunRequest {
  /** What identifies this run among all runs of the definition (see {@link runJobId}). */
  readonly runKey: string;
  /** The definition's spec, before rendering. */
  readonly spec: JobSpec;
  readonly values: TemplateValues;
  /**
   * Completes the job once it exists (S3 drops: deliver the object as its input). Runs again when the run is
   * repeated and finds its job, so it must be idempotent.
   */
  readonly prepare?: (job: JobRecord) => Promise<void>;
  /** Extra bookkeeping to record with the start (a scheduled run's time). */
  readonly record?: DefinitionRunPatch;
}

/**
 * Creates the run's job (or finds it, when this run was started before) and records it on the definition as the
 * latest started job. Throws the domain errors of rendering and job creation (e.g. the deployment is gone).
 */
export async function startRun(
  deps: Deps,
  definition: JobDefinitionRecord,
  request: RunRequest,
): Promise<{ job: JobRecord; created: boolean }> {
  const spec = renderJobSpec(request.spec, request.values);
  const id = runJobId(definition.id, request.runKey);
  let job: JobRecord;
  let created = true;
  try {
    job = await createJobFromSpec(deps, definition.ownerId, spec, {
      id,
      jobDefinition: { id: definition.id, name: definition.name },
    });
  } catch (error) {
    const existing = error instanceof JobAlreadyExistsError ? await deps.jobs.getById(id) : null;
    if (!existing) throw error;
    job = existing;
    created = false;
  }
  await request.prepare?.(job);
  await deps.definitions.recordRun(definition.ownerId, definition.id, {
    lastStartedJobId: job.id,
    lastStartedJobTime: job.created,
    ...request.record,
  });
  return { job, created };
}
