/**
 * Per-deployment job queueing (seed 003, "Concurrent jobs"): a job whose input is complete waits INITIALIZING in
 * its deployment's queue until one of the deployment's slots is free; queued jobs start in creation order.
 *
 * Nothing here needs a transaction. The store takes and frees slots with single conditional writes, and each
 * step is safe to repeat, so dispatching may run at any time, concurrently, and again after a crash:
 * a job is queued before its input is marked complete, takes its slot before it leaves the queue, and leaves the
 * queue (a conditional delete that exactly one dispatcher wins) before that winner starts its workflow. A slot is
 * freed after its job has ended; a slot still held by an ended (or vanished) job is freed by the next dispatch
 * that finds the deployment full, so a crash between a job's end and its release does not leak the slot. Every
 * call that frees a slot then dispatches from a read of the queue made after the release, which is what lets a
 * dispatch that finds the deployment full give up: the jobs it could not start are in that later read. The
 * periodic sweep (enforce-runtime-limit.ts) restarts a job stranded by a crash between leaving the queue and
 * starting.
 */
import { isTerminal, type JobRecord } from '../../domain/job.js';
import type { QueuedJob, QueueKey } from '../../ports/job-queue-store.js';
import type { Deps, UseCaseConfig } from '../deps.js';
import { isInputReady } from './intake/input-ready.js';

export const DEFAULT_MAX_CONCURRENT_JOBS_PER_DEPLOYMENT = 1;

/** How many jobs one deployment runs at once. */
export function concurrentJobLimit(config: UseCaseConfig): number {
  return config.maxConcurrentJobsPerDeployment ?? DEFAULT_MAX_CONCURRENT_JOBS_PER_DEPLOYMENT;
}

/**
 * Starts the deployment's queued jobs, oldest first, while it has free slots, and drops queue entries of jobs
 * that no longer wait (started, ended or deleted). Returns the ids of the jobs this call started.
 *
 * A dispatch that finds the deployment full leaves the queue to whoever frees a slot next, so a call that frees
 * one (of a job that ended) reads the queue again afterwards: its earlier read may lack a job queued since, whose
 * own dispatch found the deployment full only because of that slot and has given up.
 */
export async function dispatchQueued(deps: Deps, deploymentId: string): Promise<string[]> {
  const limit = concurrentJobLimit(deps.config);
  const started: string[] = [];
  let pass: DispatchPass;
  do {
    pass = await dispatchPass(deps, deploymentId, limit);
    started.push(...pass.started);
  } while (pass.freedSlot);
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
    if (job?.status !== 'INITIALIZING' || !isInputReady(job)) continue;
    await deps.workflow.start(holder);
    restarted.push(holder);
  }
  return restarted;
}

/** What one walk over the queue did: the jobs it started, and whether it ended by freeing a slot. */
interface DispatchPass {
  readonly started: readonly string[];
  readonly freedSlot: boolean;
}

/**
 * One walk over a fresh read of the queue: starts the waiting jobs in order until the deployment is full, and
 * stops early once it has freed a slot, for the caller to walk a fresh read again.
 */
async function dispatchPass(deps: Deps, deploymentId: string, limit: number): Promise<DispatchPass> {
  // A full deployment starts nothing, which its slot item tells without reading the queue: a burst of jobs makes
  // that read long, and every job of the burst dispatches once.
  if ((await deps.jobs.slotHolders(deploymentId)).length >= limit) {
    return { started: [], freedSlot: (await releaseStaleSlots(deps, deploymentId)) > 0 };
  }
  const started: string[] = [];
  for (const entry of await deps.jobs.listQueued(deploymentId)) {
    const outcome = await dispatchOne(deps, deploymentId, entry, limit);
    if (outcome === 'started') started.push(entry.jobId);
    if (outcome === 'freed') return { started, freedSlot: true };
    // Full: some slots may be held by jobs that ended without freeing them.
    if (outcome === 'full') return { started, freedSlot: (await releaseStaleSlots(deps, deploymentId)) > 0 };
  }
  return { started, freedSlot: false };
}

/**
 * started: this call started the job; skipped: the job needs nothing from this call; full: no slot is free;
 * freed: the job had ended by the time this call took a slot for it, and this call freed that slot again.
 */
type DispatchOutcome = 'started' | 'skipped' | 'full' | 'freed';

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
  if (!isInputReady(job)) return 'skipped';
  if (!(await deps.jobs.acquireSlot(deploymentId, job.id, limit))) return 'full';
  // An abort that ended the job after the read above frees its slot only if it ran after the acquire; look
  // again so that one of the two always frees it. A job started by a concurrent dispatch holds the same slot (a
  // job holds at most one), which must stay held: only an ended job's slot is freed here.
  const current = await deps.jobs.getById(job.id);
  if (!current || isTerminal(current.status)) {
    const freed = await deps.jobs.releaseSlot(deploymentId, job.id);
    await deps.jobs.dequeue(key);
    return freed ? 'freed' : 'skipped';
  }
  if (!(await deps.jobs.dequeue(key))) return 'skipped';
  await deps.workflow.start(job.id);
  return 'started';
}
