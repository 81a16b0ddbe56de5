/**
 * Project jobs on top of batch prediction jobs. Starting one creates a batch job pinned to the model, with the
 * rows to score as its uploaded input and a local-file output, so predict and training prediction jobs run through
 * exactly the engine and workflow batch jobs do. The batch job queues on the project (one job at a time per
 * project, as on a deployment). When it completes, its output is copied to the result's own object, because job
 * data expires and predictions do not.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { initialJobRecord, type JobRecord } from '../../domain/job.js';
import { parseJobSpec } from '../../domain/job-spec.js';
import {
  isFinished,
  type ProjectJobKind,
  type ProjectJobRecord,
  type ProjectJobStatus,
  projectJobStatus,
} from '../../domain/predict-job.js';
import type { DataSubset, ProjectRecord } from '../../domain/project.js';
import type { Deps } from '../deps.js';
import { abortJob } from '../jobs/abort-job.js';
import { openDownload } from '../jobs/download-output.js';
import { completeInput, putInputPart } from '../jobs/input-upload.js';
import { resultKey } from '../projects/project-keys.js';
import { getProject } from '../projects/projects.js';

/** A project job as clients see it: its record, the status derived from its batch job, and why it failed. */
export interface ProjectJobView {
  readonly record: ProjectJobRecord;
  readonly status: ProjectJobStatus;
  /** Empty unless the job failed or was cancelled. */
  readonly message: string;
}

export interface NewProjectJob {
  readonly kind: ProjectJobKind;
  readonly modelId: string;
  /** The id the finished job's predictions will have (chosen first, so files keyed by it can be written early). */
  readonly resultId: string;
  readonly datasetId: string | null;
  readonly dataSubset: DataSubset | null;
  /** The rows to score, as CSV with a header row. */
  readonly input: Buffer;
  /** The job number when the caller took it already (to claim a subset under it); else the next one. */
  readonly number?: number;
}

/**
 * Who a project job's batch job belongs to: not the owner's own `batchPredictions/` list, where a job scored by
 * model rather than by deployment (no `jobSpec.deploymentId`) would fail the DataRobot client's validation.
 */
function batchJobOwner(ownerId: string): string {
  return `${ownerId}#projects`;
}

/**
 * Starts a project job: takes the owner's next job number, creates the batch job, records the mapping, then
 * uploads the input and completes it (which queues the batch job and starts it when the project has a free slot).
 */
export async function startProjectJob(
  deps: Deps,
  project: ProjectRecord,
  job: NewProjectJob,
): Promise<ProjectJobRecord> {
  const { ownerId } = project;
  const number = job.number ?? (await deps.projects.nextJobNumber(ownerId));
  const created = deps.clock.now().toISOString();
  const spec = parseJobSpec({
    modelId: job.modelId,
    intakeSettings: { type: 'localFile' },
    outputSettings: { type: 'localFile' },
  });
  const batch = initialJobRecord({
    id: deps.newId(),
    ownerId: batchJobOwner(ownerId),
    // The queue key: a project's jobs wait for each other as a deployment's do.
    deploymentId: project.id,
    modelVersionId: job.modelId,
    spec,
    created,
  });
  await deps.jobs.create(batch);
  const record: ProjectJobRecord = {
    number,
    ownerId,
    projectId: project.id,
    modelId: job.modelId,
    kind: job.kind,
    batchJobId: batch.id,
    resultId: job.resultId,
    datasetId: job.datasetId,
    dataSubset: job.dataSubset,
    cancelled: false,
    resultStored: false,
    created,
  };
  // Recorded before the input completes, so a running batch job is always reachable through its number.
  await deps.projects.createJob(record);
  try {
    await putInputPart(deps, batch.id, 0, job.input);
    await completeInput(deps, batch.id);
  } catch (error) {
    // Cancelled as soon as it was listed, before its input was complete: the job simply reads ABORTED.
    const cancelled =
      error instanceof ConflictError && (await deps.jobs.getById(batch.id))?.status === 'ABORTED';
    if (!cancelled) throw error;
  }
  return record;
}

/**
 * The job's current view. A completed batch job's output is copied to the result first (once; a repeat after a
 * crash copies the same bytes again), so COMPLETED always means the predictions can be read.
 */
export async function viewProjectJob(deps: Deps, record: ProjectJobRecord): Promise<ProjectJobView> {
  const batch = await deps.jobs.getById(record.batchJobId);
  if (!batch) {
    if (record.resultStored) return { record, status: 'COMPLETED', message: '' };
    return { record, status: 'error', message: `the scoring job ${record.batchJobId} no longer exists` };
  }
  let current = record;
  if (batch.status === 'COMPLETED' && !record.resultStored) {
    if (outputExpired(deps, batch)) {
      const message = `the output of scoring job ${batch.id} expired before the job was looked at; request the predictions again`;
      return { record, status: 'error', message };
    }
    await keepResult(deps, record, batch.id);
    current = await deps.projects.updateJob(record.ownerId, record.number, { resultStored: true });
  }
  if (batch.status === 'ABORTED' && !current.cancelled) {
    // A cancellation marks the record before it aborts, so a caller holding an older copy reads it again.
    current = (await deps.projects.getJob(record.ownerId, record.projectId, record.number)) ?? current;
  }
  const status = projectJobStatus(batch.status, current);
  const failed = status === 'error' || status === 'ABORTED';
  return { record: current, status, message: failed ? batch.statusDetails : '' };
}

/** Whether the retention period has removed the finished batch job's output (job data expires, results do not). */
function outputExpired(deps: Deps, batch: JobRecord): boolean {
  const finished = Date.parse(batch.finished ?? batch.created);
  return deps.clock.now().getTime() - finished > deps.config.retentionHours * 3_600_000;
}

/** Copies the completed batch job's output, read as the download route reads it, to the result's object. */
async function keepResult(deps: Deps, record: ProjectJobRecord, batchJobId: string): Promise<void> {
  const output = await openDownload(deps, batchJobOwner(record.ownerId), batchJobId, { pollMs: 50 });
  if (!output) throw new Error(`the output of completed job ${batchJobId} cannot be opened`);
  const pieces: Buffer[] = [];
  for await (const piece of output) pieces.push(piece);
  await deps.objects.put(resultKey(record.projectId, record.resultId), Buffer.concat(pieces), {
    contentType: 'text/csv',
  });
}

/**
 * Waits up to `timeoutMs` for the job to finish and returns its last view. Small jobs finish within this wait,
 * so the client's first poll already finds them done instead of sleeping 5 s (protocol §0a, "Speed").
 */
export async function awaitProjectJob(
  deps: Deps,
  record: ProjectJobRecord,
  timeoutMs: number,
  pollMs = 25,
): Promise<ProjectJobView> {
  const deadline = Date.now() + timeoutMs;
  let view = await viewProjectJob(deps, record);
  while (!isFinished(view.status) && Date.now() < deadline) {
    await sleep(pollMs);
    view = await viewProjectJob(deps, view.record);
  }
  return view;
}

/**
 * Cancels the job (DataRobot's `DELETE` of a job): its batch job is aborted and the job reads ABORTED. A
 * finished job is left as it is.
 */
export async function cancelProjectJob(deps: Deps, record: ProjectJobRecord): Promise<void> {
  const view = await viewProjectJob(deps, record);
  if (isFinished(view.status)) return;
  await deps.projects.updateJob(record.ownerId, record.number, { cancelled: true });
  await abortJob(deps, batchJobOwner(record.ownerId), record.batchJobId);
}

/**
 * The caller's job `jobId` (the integer as the URL carries it) of project `projectId`, of the given kind when
 * `kind` is set; NotFoundError otherwise.
 */
export async function requireProjectJob(
  deps: Deps,
  ownerId: string,
  projectId: string,
  jobId: string,
  kind?: ProjectJobKind,
): Promise<ProjectJobRecord> {
  const project = await getProject(deps, ownerId, projectId);
  const number = /^[1-9]\d{0,14}$/.test(jobId) ? Number(jobId) : null;
  const record = number === null ? null : await deps.projects.getJob(ownerId, project.id, number);
  if (!record || (kind !== undefined && record.kind !== kind)) {
    throw new NotFoundError(
      'job',
      jobId.slice(0, 64),
      `job ${jobId.slice(0, 64)} not found in project ${project.id}`,
    );
  }
  return record;
}

const JOB_STATUSES: readonly ProjectJobStatus[] = ['queue', 'inprogress', 'error', 'ABORTED', 'COMPLETED'];

/**
 * The project's jobs of `kind`, oldest first, only those in `statuses` when any are given (`?status=` of
 * `GET predictJobs/`). ValidationError on `status` for a value that is not a job status.
 */
export async function listProjectJobs(
  deps: Deps,
  ownerId: string,
  projectId: string,
  kind: ProjectJobKind,
  statuses: readonly string[],
): Promise<ProjectJobView[]> {
  const unknown = statuses.find((s) => !(JOB_STATUSES as readonly string[]).includes(s));
  if (unknown !== undefined) {
    throw new ValidationError([
      {
        field: 'status',
        message: `unknown status "${unknown.slice(0, 40)}"; expected one of ${JOB_STATUSES.join(', ')}`,
      },
    ]);
  }
  const project = await getProject(deps, ownerId, projectId);
  const jobs = (await deps.projects.listJobs(ownerId, project.id)).filter((job) => job.kind === kind);
  const views = await Promise.all(jobs.map((job) => viewProjectJob(deps, job)));
  return views.filter((view) => statuses.length === 0 || statuses.includes(view.status));
}
