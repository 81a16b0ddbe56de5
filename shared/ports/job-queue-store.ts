/**
 * Per-deployment job queueing: the jobs waiting for a slot, in creation order, and the slots themselves. A
 * deployment runs at most `limit` jobs at once (DataRobot: one per prediction instance). Slots are held by job id
 * in one record per deployment, so taking and freeing a slot are single conditional writes: two concurrent
 * takers never exceed the limit, a job never holds two slots, and freeing a slot twice frees it once.
 */
import type { JobRecord } from '../domain/job.js';

/** What places a job in its deployment's queue: creation time first, the id breaking ties. */
export type QueueKey = Pick<JobRecord, 'id' | 'deploymentId' | 'created'>;

/** A queue entry. */
export interface QueuedJob {
  readonly jobId: string;
  readonly created: string;
}

/** The jobs holding slots of one deployment. */
export interface DeploymentSlots {
  readonly deploymentId: string;
  readonly holders: readonly string[];
}

export interface JobQueueStore {
  /**
   * Puts the job in its deployment's queue (putting it there again changes nothing) and makes the deployment
   * known to {@link listSlots}.
   */
  enqueue(job: QueueKey): Promise<void>;
  /**
   * Takes the job out of its deployment's queue. Returns true when this call removed it, false when it was not
   * queued, so that of several concurrent callers exactly one learns it took the job out.
   */
  dequeue(job: QueueKey): Promise<boolean>;
  /** The deployment's queue, oldest first, read consistently. */
  listQueued(deploymentId: string): Promise<QueuedJob[]>;
  /**
   * Gives `jobId` one of the deployment's slots if fewer than `limit` are held. Returns true when the job holds a
   * slot after the call (including when it already held one), false when all slots are taken by other jobs.
   */
  acquireSlot(deploymentId: string, jobId: string, limit: number): Promise<boolean>;
  /** Frees the job's slot. Returns true when this call freed it, false when the job held none. */
  releaseSlot(deploymentId: string, jobId: string): Promise<boolean>;
  /** The jobs holding a slot of the deployment. */
  slotHolders(deploymentId: string): Promise<string[]>;
  /** Every deployment that ever had a job queued, with the jobs holding its slots; for periodic sweeps. */
  listSlots(): Promise<DeploymentSlots[]>;
}
