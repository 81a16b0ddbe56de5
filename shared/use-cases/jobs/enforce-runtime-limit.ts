/**
 * The job runtime limit (seed 003, "Limits": 4 hours) and the periodic sweep that enforces it. The sweep is also
 * the backstop of queueing: it frees slots still held by ended jobs, restarts jobs a crash left holding a slot
 * without a workflow, and starts queued jobs that a crash left waiting. Running jobs always hold a slot, so
 * walking the slots finds every running job without a table scan.
 */
import type { Deps, UseCaseConfig } from '../deps.js';
import { dispatchQueued, releaseStaleSlots, restartStranded } from './dispatch.js';
import { failJob } from './fail-job.js';
import { runtimeLimitReason } from './runtime-limit.js';

export const DEFAULT_JOB_RUNTIME_LIMIT_HOURS = 4;

const MS_PER_HOUR = 3_600_000;

/** How long a job may run, in hours. */
export function jobRuntimeLimitHours(config: UseCaseConfig): number {
  return config.jobRuntimeLimitHours ?? DEFAULT_JOB_RUNTIME_LIMIT_HOURS;
}

/** What one sweep did. */
export interface SweepReport {
  /** Jobs ended ABORTED for exceeding the runtime limit. */
  readonly timedOut: string[];
  /** Slots freed because their job had ended without freeing them. */
  readonly staleSlotsFreed: number;
  /** Queued jobs started. */
  readonly started: string[];
  /** Jobs holding a slot outside the queue whose workflow was started again. */
  readonly restarted: string[];
}

/**
 * One sweep over every deployment's slots: a RUNNING job that started longer ago than the runtime limit ends
 * ABORTED saying so (its workflow is stopped and its slot handed on), slots of ended jobs are freed, stranded
 * jobs are restarted and queued jobs start where slots are free. Safe to run concurrently with everything else
 * and with itself.
 */
export async function enforceRuntimeLimit(deps: Deps): Promise<SweepReport> {
  const hours = jobRuntimeLimitHours(deps.config);
  const deadline = deps.clock.now().getTime() - hours * MS_PER_HOUR;
  const report: SweepReport = { timedOut: [], staleSlotsFreed: 0, started: [], restarted: [] };
  let staleSlotsFreed = 0;
  for (const { deploymentId, holders } of await deps.jobs.listSlots()) {
    for (const jobId of holders) {
      const job = await deps.jobs.getById(jobId);
      if (job?.status !== 'RUNNING' || Date.parse(job.started ?? job.created) > deadline) continue;
      if (await failJob(deps, jobId, runtimeLimitReason(hours))) {
        report.timedOut.push(jobId);
        await deps.workflow.stop(jobId);
      }
    }
    staleSlotsFreed += await releaseStaleSlots(deps, deploymentId);
    report.restarted.push(...(await restartStranded(deps, deploymentId)));
    report.started.push(...(await dispatchQueued(deps, deploymentId)));
  }
  return { ...report, staleSlotsFreed };
}
