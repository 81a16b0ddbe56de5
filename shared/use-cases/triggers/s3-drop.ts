/**
 * S3-drop triggers (our extension, docs/api.md): an object created under `drops/<ownerId>/<prefix>` in the stack's
 * bucket starts one job of each of the owner's enabled definitions whose trigger watches that prefix. The object
 * becomes the job's input exactly as an upload would (copied to the job's input inside the bucket, then the input
 * completed, which queues the job), and `{{ input_key }}` / `{{ input_basename }}` name it to the output templates.
 * On AWS the object's S3 "Object Created" event arrives through EventBridge; locally the embedded stack passes
 * s3rver's events to the same handler.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { ConflictError, DomainError } from '../../domain/errors.js';
import type { JobRecord } from '../../domain/job.js';
import { dropKeyPrefix, dropOwnerOf, type JobDefinitionRecord } from '../../domain/job-definition.js';
import type { JobSpec } from '../../domain/job-spec.js';
import { ObjectNotFoundError } from '../../ports/object-store.js';
import type { Deps } from '../deps.js';
import { settlePreviousRun, startRun } from '../job-definitions/start-run.js';
import { failJob } from '../jobs/fail-job.js';
import { completeInput } from '../jobs/input-upload.js';
import { inputPartKey } from '../jobs/job-keys.js';

/** An object that was created, as an S3 event names it. */
export const DroppedObjectSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  /** With the sequencer, what tells two writes of one key apart (and one event delivered twice the same). */
  etag: z.string().optional(),
  sequencer: z.string().optional(),
});
export type DroppedObject = z.infer<typeof DroppedObjectSchema>;

export type DropOutcome =
  | { readonly definitionId: string; readonly outcome: 'started' | 'duplicate'; readonly jobId: string }
  | { readonly definitionId: string; readonly outcome: 'failed'; readonly reason: string };

/**
 * Starts the jobs an object drop triggers, one per watching definition; an event delivered again starts none.
 * Problems a user must fix (the deployment was deleted, a template fails) are logged on the definition and
 * reported as `failed`; other errors propagate so the event is retried.
 */
export async function startDropRuns(deps: Deps, input: DroppedObject): Promise<DropOutcome[]> {
  const object = DroppedObjectSchema.parse(input);
  const ownerId = dropOwnerOf(object.key);
  // A "folder" placeholder (a key ending in /) holds no data to score.
  if (ownerId === null || object.key.endsWith('/')) return [];
  const { items } = await deps.definitions.list(ownerId, { offset: 0, limit: Number.MAX_SAFE_INTEGER });
  const watching = items.filter(
    (d) => d.enabled && d.trigger !== null && object.key.startsWith(dropKeyPrefix(ownerId, d.trigger)),
  );
  const outcomes: DropOutcome[] = [];
  for (const definition of watching) outcomes.push(await startDropRun(deps, definition, object));
  return outcomes;
}

async function startDropRun(
  deps: Deps,
  found: JobDefinitionRecord,
  object: DroppedObject,
): Promise<DropOutcome> {
  const { definition } = await settlePreviousRun(deps, found);
  try {
    const { job, created } = await startRun(deps, definition, {
      runKey: `drop:${object.key}\n${object.etag ?? ''}\n${object.sequencer ?? ''}`,
      spec: definition.spec as JobSpec,
      values: {
        current_run_time: deps.clock.now(),
        last_scheduled_run_time: null,
        next_scheduled_run_time: null,
        last_completed_run_time: definition.lastSuccessfulRunTime
          ? new Date(definition.lastSuccessfulRunTime)
          : null,
        input_key: object.key,
        input_basename: posix.basename(object.key),
      },
      prepare: (job) => deliverInput(deps, job, object.key),
    });
    return { definitionId: definition.id, outcome: created ? 'started' : 'duplicate', jobId: job.id };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await deps.definitions.appendLog(
      definition.ownerId,
      definition.id,
      `${deps.clock.now().toISOString()} The drop of ${object.key} could not start a job: ${error.message}`,
    );
    return { definitionId: definition.id, outcome: 'failed', reason: error.message };
  }
}

/**
 * Copies the dropped object to the job's input (inside the bucket) and completes the input, which queues the
 * job; an object deleted before it is copied ends the job ABORTED saying so. Done again for a repeated event
 * until the input is complete; a completed input is left alone.
 */
async function deliverInput(deps: Deps, job: JobRecord, key: string): Promise<void> {
  if (job.status !== 'INITIALIZING' || job.jobIntakeSize !== null) return;
  try {
    await deps.objects.concatenate(inputPartKey(job.id, 0), [key]);
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
    await failJob(deps, job.id, `The dropped object ${key} was deleted before it could be read`);
    return;
  }
  try {
    await completeInput(deps, job.id);
  } catch (error) {
    // A concurrent delivery of the same event completed it first.
    if (!(error instanceof ConflictError)) throw error;
  }
}
