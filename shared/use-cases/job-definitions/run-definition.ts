/**
 * Running a job definition on demand (`POST batchPredictions/fromJobDefinition/`, the client's run_once) and
 * when its schedule fires (run-scheduled-definition, from EventBridge Scheduler or the embedded stack's croner).
 */
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import type { JobRecord } from '../../domain/job.js';
import type { JobDefinitionRecord } from '../../domain/job-definition.js';
import type { JobSpec } from '../../domain/job-spec.js';
import { nextRunAfter } from '../../domain/schedule/schedule.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { getDefinition } from './manage-definitions.js';
import { runJobId, settlePreviousRun, startRun } from './start-run.js';
import { expectedExpressions, syncSchedule } from './sync-schedule.js';

/** `POST batchPredictions/fromJobDefinition/`: the definition to run. */
export const FromJobDefinitionSchema = z.strictObject({
  jobDefinitionId: z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-character hexadecimal definition id'),
});

/** The run's time as a Date, or null. */
function dateOrNull(iso: string | null): Date | null {
  return iso === null ? null : new Date(iso);
}

/**
 * Runs one of the caller's definitions now, whatever its schedule and `enabled` say (DataRobot's run_once):
 * templates see this moment as current_run_time. Returns the new job.
 */
export async function runDefinitionNow(deps: Deps, ownerId: string, body: unknown): Promise<JobRecord> {
  const { jobDefinitionId } = parseRequest(FromJobDefinitionSchema, body);
  const { definition } = await settlePreviousRun(deps, await getDefinition(deps, ownerId, jobDefinitionId));
  const now = deps.clock.now();
  const { job } = await startRun(deps, definition, {
    runKey: `manual:${deps.newId()}`,
    spec: definition.spec as JobSpec,
    values: {
      current_run_time: now,
      last_scheduled_run_time: dateOrNull(definition.lastScheduledRunTime),
      next_scheduled_run_time:
        definition.enabled && definition.schedule ? nextRunAfter(definition.schedule, now) : null,
      last_completed_run_time: dateOrNull(definition.lastSuccessfulRunTime),
    },
  });
  return job;
}

/** What the scheduler sends: the definition, the time the run was scheduled for, and the entry that fired. */
export const ScheduledRunSchema = z.strictObject({
  definitionId: z.string().min(1),
  scheduledTime: z.iso.datetime({ offset: true }),
  /** The scheduler expression that fired; absent, any of the definition's expressions is accepted. */
  expression: z.string().optional(),
});
export type ScheduledRun = z.infer<typeof ScheduledRunSchema>;

export type ScheduledRunOutcome =
  /** A job was created for this run. */
  | { readonly outcome: 'started'; readonly jobId: string }
  /** This run had already started its job (a repeated delivery, or two entries firing at one time). */
  | { readonly outcome: 'duplicate'; readonly jobId: string }
  /** The definition's previous job is still going: not run, logged on the definition. */
  | { readonly outcome: 'skipped'; readonly runningJobId: string }
  /** The definition is gone, disabled or rescheduled: its scheduler entries were brought in step instead. */
  | { readonly outcome: 'stale' }
  /** The run could not start (e.g. its deployment was deleted): logged on the definition. */
  | { readonly outcome: 'failed'; readonly reason: string };

/**
 * One firing of a definition's schedule. A run never overlaps the definition's previous job: DataRobot documents
 * no behaviour for that case, so the run is skipped and the skip logged on the definition (visible in its
 * `logs`). Templates see the scheduled time as current_run_time, so a retried delivery renders the same values.
 */
export async function runScheduledDefinition(deps: Deps, input: unknown): Promise<ScheduledRunOutcome> {
  const run = parseRequest(ScheduledRunSchema, input);
  const found = await deps.definitions.getById(run.definitionId);
  if (!found) {
    await deps.scheduler.remove(run.definitionId);
    return { outcome: 'stale' };
  }
  const expected = expectedExpressions(found);
  if (
    !found.schedule ||
    !(run.expression === undefined ? expected.length > 0 : expected.includes(run.expression))
  ) {
    await syncSchedule(deps, found);
    return { outcome: 'stale' };
  }
  const scheduledTime = new Date(run.scheduledTime);
  // Whole minutes: the run's identity must not depend on how late within the minute the scheduler fired.
  scheduledTime.setUTCSeconds(0, 0);
  const runKey = `scheduled:${scheduledTime.toISOString()}`;
  const { definition, job: previous } = await settlePreviousRun(deps, found);
  const thisRunJobId = runJobId(definition.id, runKey);
  if (previous?.id === thisRunJobId) return { outcome: 'duplicate', jobId: thisRunJobId };
  if (previous && (previous.status === 'INITIALIZING' || previous.status === 'RUNNING')) {
    await deps.definitions.appendLog(
      definition.ownerId,
      definition.id,
      `${deps.clock.now().toISOString()} Skipped the run scheduled for ${scheduledTime.toISOString()}: job ${previous.id} of this definition is still ${previous.status}`,
    );
    return { outcome: 'skipped', runningJobId: previous.id };
  }
  return startScheduledRun(deps, definition, runKey, scheduledTime);
}

async function startScheduledRun(
  deps: Deps,
  definition: JobDefinitionRecord,
  runKey: string,
  scheduledTime: Date,
): Promise<ScheduledRunOutcome> {
  const schedule = definition.schedule;
  try {
    const { job, created } = await startRun(deps, definition, {
      runKey,
      spec: definition.spec as JobSpec,
      values: {
        current_run_time: scheduledTime,
        last_scheduled_run_time: dateOrNull(definition.lastScheduledRunTime),
        next_scheduled_run_time: schedule ? nextRunAfter(schedule, scheduledTime) : null,
        last_completed_run_time: dateOrNull(definition.lastSuccessfulRunTime),
      },
      record: { lastScheduledRunTime: scheduledTime.toISOString() },
    });
    return created ? { outcome: 'started', jobId: job.id } : { outcome: 'duplicate', jobId: job.id };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await deps.definitions.appendLog(
      definition.ownerId,
      definition.id,
      `${deps.clock.now().toISOString()} The run scheduled for ${scheduledTime.toISOString()} could not start: ${error.message}`,
    );
    return { outcome: 'failed', reason: error.message };
  }
}
