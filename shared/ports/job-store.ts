/**
 * Durable job records. Every write that changes a job's status or counters is conditional, so concurrent
 * workers, retries and duplicate deliveries cannot move a job backwards or count a chunk twice.
 */
import { DomainError } from '../domain/errors.js';
import type { JobRecord, JobStatus } from '../domain/job.js';
import type { JobQueueStore } from './job-queue-store.js';

/** Rows a chunk produced, added to the job's counters when the chunk is recorded done. */
export interface ChunkCounts {
  readonly scoredRows: number;
  readonly failedRows: number;
  readonly skippedRows: number;
}

/** Fields a status transition may set along with the status. Counters move only via recordChunkDone. */
export type JobPatch = Partial<
  Pick<
    JobRecord,
    'statusDetails' | 'started' | 'finished' | 'jobIntakeSize' | 'jobOutputSize' | 'chunksTotal'
  >
>;

export interface ListJobsOptions {
  /** Only jobs in one of these statuses; all statuses when absent or empty. */
  readonly statuses?: readonly JobStatus[];
  readonly offset: number;
  readonly limit: number;
}

export interface JobPage {
  /** Newest first. */
  readonly jobs: JobRecord[];
  /** How many jobs match the filter in all, ignoring offset and limit. */
  readonly totalCount: number;
}

export interface ChunkDoneResult {
  /** False when this chunk had already been counted, or the job is no longer RUNNING. */
  readonly applied: boolean;
  readonly job: JobRecord;
}

/** Job records, and (in the same storage) each deployment's queue of waiting jobs and its slots. */
export interface JobStore extends JobQueueStore {
  /** Stores a new job. Throws {@link JobAlreadyExistsError} if the id is taken. */
  create(job: JobRecord): Promise<void>;
  /** The job, or null when it does not exist or belongs to another owner. */
  get(ownerId: string, id: string): Promise<JobRecord | null>;
  /** The job whoever owns it, or null; for workflow steps and the data plane, which act on a job id alone. */
  getById(id: string): Promise<JobRecord | null>;
  /** The owner's jobs, newest first. */
  list(ownerId: string, options: ListJobsOptions): Promise<JobPage>;
  /**
   * Moves the job to `to` if its current status is one of `from`, applying `patch` in the same write.
   * Throws {@link JobStateConflictError} otherwise (so the first terminal state wins), and
   * {@link JobNotFoundError} when there is no such job. Every `from` must be allowed to reach `to`.
   */
  transition(id: string, from: readonly JobStatus[], to: JobStatus, patch?: JobPatch): Promise<JobRecord>;
  /**
   * Counts chunk `chunkIndex` done, adding `counts` to the job's counters, exactly once per chunk however
   * often it is delivered, and only while the job is RUNNING.
   */
  recordChunkDone(id: string, chunkIndex: number, counts: ChunkCounts): Promise<ChunkDoneResult>;
  /**
   * Records that the job's input is complete (`jobIntakeSize` = `size` bytes), in one conditional write that
   * holds only while the job is INITIALIZING and its input was not completed before. Returns the updated job,
   * or null when that condition fails (so a second completion is refused); throws {@link JobNotFoundError}.
   */
  markInputComplete(id: string, size: number): Promise<JobRecord | null>;
  /** Appends a line to the job's log. Throws {@link JobNotFoundError}. */
  appendLog(id: string, line: string): Promise<void>;
  /** Removes the job; removing a missing job is not an error. */
  delete(id: string): Promise<void>;
}

export class JobAlreadyExistsError extends DomainError {
  override name = 'JobAlreadyExistsError';
  constructor(readonly jobId: string) {
    super(`Job ${jobId} already exists`);
  }
}

export class JobNotFoundError extends DomainError {
  override name = 'JobNotFoundError';
  constructor(readonly jobId: string) {
    super(`Job ${jobId} not found`);
  }
}

/** The job was not in a status the write expected, typically because another writer moved it first. */
export class JobStateConflictError extends DomainError {
  override name = 'JobStateConflictError';
  constructor(
    readonly jobId: string,
    readonly current: JobStatus,
    readonly attempted: JobStatus,
  ) {
    super(`Job ${jobId} is ${current} and cannot become ${attempted}`);
  }
}

/** The store kept refusing requests for capacity reasons after the client's retries; try again later. */
export class JobStoreBusyError extends DomainError {
  override name = 'JobStoreBusyError';
  constructor(options?: ErrorOptions) {
    super('The job store is busy; try again later', options);
  }
}
