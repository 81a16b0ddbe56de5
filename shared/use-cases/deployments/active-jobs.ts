import type { JobRecord } from '../../domain/job.js';
import type { Deps } from '../deps.js';

/** The owner's queued and running jobs: those that still need their deployment and pinned model package. */
export async function activeJobs(deps: Deps, ownerId: string): Promise<JobRecord[]> {
  const page = await deps.jobs.list(ownerId, {
    statuses: ['INITIALIZING', 'RUNNING'],
    offset: 0,
    limit: Number.MAX_SAFE_INTEGER,
  });
  return page.jobs;
}
