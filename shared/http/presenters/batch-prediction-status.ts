import { type JobRecord, percentageCompleted } from '../../domain/job.js';
import type { JobSpec } from '../../domain/job-spec.js';

export interface StatusLinksInput {
  /** Absolute API root, e.g. `http://host/api/v2`. */
  readonly baseUrl: string;
  /** The job's signed upload URL, while it still waits for its data. */
  readonly uploadUrl: string | null;
  readonly now: Date;
  /** Queued jobs of the same deployment ahead of this one (0 = next), or null/absent when it is not queued. */
  readonly queuePosition?: number | null;
}

/** True when the job still waits for a local-file upload. */
export function awaitsUpload(job: JobRecord): boolean {
  const spec = job.spec as JobSpec;
  return (
    spec.intakeSettings.type === 'localFile' && job.status === 'INITIALIZING' && job.jobIntakeSize === null
  );
}

/** True when output can be downloaded through `links.download`: local-file output, once scoring started. */
export function downloadable(job: JobRecord): boolean {
  const spec = job.spec as JobSpec;
  return spec.outputSettings.type === 'localFile' && (job.status === 'RUNNING' || job.status === 'COMPLETED');
}

/**
 * The status document DataRobot returns for a batch prediction job (seed 001, protocol §2d): every field the client
 * requires (non-empty statusDetails, links.self ending in `/<id>/`, jobSpec with numConcurrent and deploymentId),
 * `links.download` only once the output can be streamed (the client treats the key's presence as "ready").
 */
export function batchPredictionStatus(job: JobRecord, input: StatusLinksInput): Record<string, unknown> {
  const self = `${input.baseUrl}/batchPredictions/${job.id}/`;
  const links: Record<string, string> = { self };
  if (input.uploadUrl && awaitsUpload(job)) links.csvUpload = input.uploadUrl;
  if (downloadable(job)) links.download = `${self}download/`;
  const end = job.finished ? new Date(job.finished) : input.now;
  const queuePosition = job.status === 'INITIALIZING' ? (input.queuePosition ?? null) : null;
  return {
    id: job.id,
    status: job.status,
    percentageCompleted: percentageCompleted(job.status, job.chunksDone, job.chunksTotal),
    elapsedTimeSec: Math.max(0, Math.floor((end.getTime() - new Date(job.created).getTime()) / 1000)),
    scoredRows: job.scoredRows,
    failedRows: job.failedRows,
    skippedRows: job.skippedRows,
    jobIntakeSize: job.jobIntakeSize,
    jobOutputSize: job.jobOutputSize,
    statusDetails:
      queuePosition === null ? job.statusDetails || job.status : waitingDetails(job, queuePosition),
    logs: job.logs,
    queuePosition,
    links,
    jobSpec: job.spec,
    created: job.created,
    createdBy: { username: job.ownerId, userId: job.ownerId, fullName: job.ownerId },
    source: 'api',
    hidden: false,
    deploymentId: job.deploymentId,
    modelPackageId: job.modelVersionId,
    batchPredictionJobDefinition: job.jobDefinition
      ? { id: job.jobDefinition.id, name: job.jobDefinition.name, createdBy: job.ownerId }
      : null,
  };
}

function waitingDetails(job: JobRecord, position: number): string {
  const next = position === 0 ? ', next in line' : '';
  return `Waiting for a free slot on deployment ${job.deploymentId} (position ${position}${next})`;
}
