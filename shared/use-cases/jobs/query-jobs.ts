import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { type JobRecord, type JobStatus, JobStatusSchema } from '../../domain/job.js';
import type { JobPage } from '../../ports/job-store.js';
import type { Deps } from '../deps.js';

/** One of the caller's jobs; NotFoundError for an unknown id or another owner's job. */
export async function getJob(deps: Deps, ownerId: string, id: string): Promise<JobRecord> {
  const job = await deps.jobs.get(ownerId, id);
  if (!job) throw new NotFoundError('batch prediction job', id);
  return job;
}

/** The caller's jobs, newest first, optionally only those in the given statuses. */
export async function listJobs(
  deps: Deps,
  ownerId: string,
  query: { statuses: readonly string[]; offset: number; limit: number },
): Promise<JobPage> {
  const statuses: JobStatus[] = [];
  for (const s of query.statuses) {
    const parsed = JobStatusSchema.safeParse(s);
    if (!parsed.success) {
      throw new ValidationError([
        {
          field: 'status',
          message: `unknown status "${s}"; expected one of ${JobStatusSchema.options.join(', ')}`,
        },
      ]);
    }
    statuses.push(parsed.data);
  }
  return deps.jobs.list(ownerId, { statuses, offset: query.offset, limit: query.limit });
}
