/**
 * A batch prediction job as Batchline stores it, and the rules its status follows.
 *
 * Status semantics come from DataRobot's "Job states": INITIALIZING (created, waiting for data or a slot),
 * RUNNING (scoring), COMPLETED and ABORTED (final). Stores move a job only along {@link canTransition} and
 * only with conditional writes, so the first terminal state written wins.
 */
import { z } from 'zod';

export const JobStatusSchema = z.enum(['INITIALIZING', 'RUNNING', 'COMPLETED', 'ABORTED']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['COMPLETED', 'ABORTED'];

const NEXT_STATUSES: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  INITIALIZING: ['RUNNING', 'ABORTED'],
  RUNNING: ['COMPLETED', 'ABORTED'],
  COMPLETED: [],
  ABORTED: [],
};

/** Whether a job may move from `from` to `to` in one step (staying put is not a transition). */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return NEXT_STATUSES[from].includes(to);
}

/** Whether `status` is final. */
export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

const count = () => z.int().min(0);
// UTC only (`toISOString()` form), so timestamps sort as strings, as stores that index them rely on.
const timestamp = () => z.iso.datetime();

export const JobRecordSchema = z.strictObject({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  deploymentId: z.string().min(1),
  /** The model version every row of this job is scored with, fixed when the job is created. */
  modelVersionId: z.string().min(1),
  status: JobStatusSchema,
  statusDetails: z.string(),
  /** The normalized job spec as echoed to clients; opaque to the store. */
  spec: z.unknown(),
  created: timestamp(),
  started: timestamp().optional(),
  finished: timestamp().optional(),
  scoredRows: count(),
  failedRows: count(),
  skippedRows: count(),
  /** Bytes of input, or null until the input is known. */
  jobIntakeSize: count().nullable(),
  /** Bytes of output, or null until the output is written. */
  jobOutputSize: count().nullable(),
  logs: z.array(z.string()),
  percentageCompleted: z.number().min(0).max(100),
  chunksTotal: count(),
  chunksDone: count(),
  /** The job definition this job is a run of (DataRobot's `batchPredictionJobDefinition`), if any. */
  jobDefinition: z.strictObject({ id: z.string().min(1), name: z.string().min(1) }).optional(),
  /** Bumped by every write, for optimistic concurrency and for spotting stale reads. */
  version: z.int().min(1),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** What a caller decides when creating a job; everything else starts at its initial value. */
export type NewJob = Pick<
  JobRecord,
  'id' | 'ownerId' | 'deploymentId' | 'modelVersionId' | 'spec' | 'created'
> &
  Partial<Pick<JobRecord, 'jobDefinition'>>;

/** The record of a job that was just created: INITIALIZING, no progress, version 1. */
export function initialJobRecord(job: NewJob): JobRecord {
  return {
    ...job,
    status: 'INITIALIZING',
    statusDetails: 'Job created',
    scoredRows: 0,
    failedRows: 0,
    skippedRows: 0,
    jobIntakeSize: null,
    jobOutputSize: null,
    logs: [],
    percentageCompleted: 0,
    chunksTotal: 0,
    chunksDone: 0,
    version: 1,
  };
}

/**
 * Progress in percent. Derived rather than stored, because chunk completions are counted by atomic
 * increments that cannot also divide; a COMPLETED job is 100 even if it had no chunks (empty input).
 */
export function percentageCompleted(status: JobStatus, chunksDone: number, chunksTotal: number): number {
  if (status === 'COMPLETED') return 100;
  if (chunksTotal === 0) return 0;
  return Math.min(100, Math.round((chunksDone / chunksTotal) * 10_000) / 100);
}
