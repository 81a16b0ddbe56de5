import type { JobRecord } from '../../domain/job.js';
import type { Deps } from '../deps.js';
import { isInputReady } from './intake/input-ready.js';

/** Whether the job has its input and waits INITIALIZING to be started (queued, or taking its slot). */
export function awaitsStart(job: JobRecord): boolean {
  return job.status === 'INITIALIZING' && isInputReady(job);
}

/**
 * The queue positions of those of `jobs` that wait for a slot: how many queued jobs of the same deployment are
 * ahead of each (0 = next). Jobs that hold a slot already (being started) are not waiting and have no position.
 * One queue and one slot read per deployment involved.
 */
export async function queuePositions(deps: Deps, jobs: readonly JobRecord[]): Promise<Map<string, number>> {
  const waitingByDeployment = new Map<string, Set<string>>();
  for (const job of jobs.filter(awaitsStart)) {
    const ids = waitingByDeployment.get(job.deploymentId) ?? new Set<string>();
    waitingByDeployment.set(job.deploymentId, ids.add(job.id));
  }
  const positions = new Map<string, number>();
  await Promise.all(
    [...waitingByDeployment].map(async ([deploymentId, wanted]) => {
      const [queue, holders] = await Promise.all([
        deps.jobs.listQueued(deploymentId),
        deps.jobs.slotHolders(deploymentId),
      ]);
      const starting = new Set(holders);
      let ahead = 0;
      for (const { jobId } of queue) {
        if (starting.has(jobId)) continue;
        if (wanted.has(jobId)) positions.set(jobId, ahead);
        ahead++;
      }
    }),
  );
  return positions;
}
