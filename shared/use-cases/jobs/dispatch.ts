/**
 * Per-deployment job queueing (seed 003, "Concurrent jobs"): a job whose input is complete waits INITIALIZING in
 * its deployment's queue until one of the deployment's slots is free; queued jobs start in creation order.
 *
 * Nothing here needs a transaction. The store takes and frees slots with single conditional writes, and each
 * step is safe to repeat, so dispatching may run at any time, concurrently, and again after a crash:
 * a job is queued before its input is marked complete, takes its slot before it leaves the queue, and leaves the
 * queue (a conditional delete that exactly one dispatcher wins) before that winner starts its workflow. A slot is
 * freed after its job has ended; a slot still held by an ended (or vanished) job is freed by the next dispatch
 * that finds the deployment full, so a crash between a job's end and its release does not leak the slot. The
 * periodic sweep (enforce-runtime-limit.ts) restarts a job stranded by a crash between leaving the queue and
 * starting.
 */
import { isTerminal, type JobRecord } from '../../domain/job.js';
import type { QueuedJob, QueueKey } from '../../ports/job-queue-store.js';
import type { Deps, UseCaseConfig } from '../deps.js';

export const DEFAULT_MAX_CONCURRENT_JOBS_PER_DEPLOYMENT = 1;

/** How many jobs one deployment runs at once. */
export function concurrentJobLimit(config: UseCaseConfig): number {
  return config.maxConcurrentJobsPerDeployment ?? DEFAULT_MAX_CONCURRENT_JOBS_PER_DEPLOYMENT;
}

/**
 * Starts the deployment's queued jobs, oldest first, while it has free slots, and drops queue entries of jobs
 * that no longer wait (started, ended or deleted). Returns the ids of the jobs this call started.
 */
export async function dispatchQueued(deps: Deps, deploymentId: string): Promise<string[]> {
  const limit = concurrentJobLimit(deps.config);
  const started: string[] = [];
  for (const entry of await deps.jobs.listQueued(deploymentId)) {
    let outcome = await dispatchOne(deps, deploymentId, entry, limit);
    // Full: some slots may be held by jobs that ended without freeing them; free those and try once more.
    if (outcome === 'full' && (await releaseStaleSlots(deps, deploymentId)) > 0) {
      outcome = await dispatchOne(deps, deploymentId, entry, limit);
    }
    if (outcome === 'full') break;
    if (outcome === 'started') started.push(entry.jobId);
  }
  return started;
}

/**
 * Frees the slot of a job that has ended (COMPLETED or ABORTED) and takes it out of the queue; call
 * {@link dispatchQueued} afterwards to start the next job. Idempotent: a slot is freed once.
 */
export async function releaseJobSlot(deps: Deps, job: JobRecord): Promise<void> {
  if (!isTerminal(job.status)) {
    throw new Error(`Job ${job.id} is ${job.status}; only an ended job gives up its slot`);
  }
  await deps.jobs.releaseSlot(job.deploymentId, job.id);
  await deps.jobs.dequeue(job);
}

/** Frees the deployment's slots held by jobs that have ended or no longer exist; returns how many it freed. */
export async function releaseStaleSlots(deps: Deps, deploymentId: string): Promise<number> {
  let freed = 0;
  for (const holder of await deps.jobs.slotHolders(deploymentId)) {
    const job = await deps.jobs.getById(holder);
    if (job && !isTerminal(job.status)) continue;
    if (await deps.jobs.releaseSlot(deploymentId, holder)) freed++;
  }
  return freed;
}

/**
 * Starts (again) the deployment's jobs that hold a slot and wait INITIALIZING outside the queue: left there by a
 * crash between leaving the queue and starting, or being started right now, which the workflow's idempotent
 * start makes harmless. For periodic sweeps only; returns their ids.
 */
export async function restartStranded(deps: Deps, deploymentId: string): Promise<string[]> {
  const [holders, queue] = await Promise.all([
    deps.jobs.slotHolders(deploymentId),
    deps.jobs.listQueued(deploymentId),
  ]);
  const queued = new Set(queue.map((entry) => entry.jobId));
  const restarted: string[] = [];
  for (const holder of holders.filter((id) => !queued.has(id))) {
    const job = await deps.jobs.getById(holder);
    if (job?.status !== 'INITIALIZING' || job.jobIntakeSize === null) continue;
    await deps.workflow.start(holder);
    restarted.push(holder);
  }
  return restarted;
}

type DispatchOutcome = 'started' | 'skipped' | 'full';

async function dispatchOne(
  deps: Deps,
  deploymentId: string,
  entry: QueuedJob,
  limit: number,
): Promise<DispatchOutcome> {
  const key: QueueKey = { id: entry.jobId, deploymentId, created: entry.created };
  const job = await deps.jobs.getById(entry.jobId);
  if (job?.status !== 'INITIALIZING') {
    await deps.jobs.dequeue(key);
    return 'skipped';
  }
  // Queued just before its input was marked complete (or the mark failed): not ready, and not in the way.
  if (job.jobIntakeSize === null) return 'skipped';
  if (!(await deps.jobs.acquireSlot(deploymentId, job.id, limit))) return 'full';
  // An abort that ended the job after the read above frees its slot only if it ran after the acquire; look
  // again so that one of the two always frees it. A job started by a concurrent dispatch holds the same slot (a
  // job holds at most one), which must stay held: only an ended job's slot is freed here.
  const current = await deps.jobs.getById(job.id);
  if (!current || isTerminal(current.status)) {
    await deps.jobs.releaseSlot(deploymentId, job.id);
    await deps.jobs.dequeue(key);
    return 'skipped';
  }
  if (!(await deps.jobs.dequeue(key))) return 'skipped';
  await deps.workflow.start(job.id);
  return 'started';
}
