import type { ApiClient, JobDocument } from '../api-client.js';

/** Jobs, optionally filtered by status (`--status RUNNING,INITIALIZING`: comma-separated, case-insensitive). */
export function listJobs(api: ApiClient, status?: string): Promise<JobDocument[]> {
  const statuses = (status ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  return api.listJobs(statuses);
}

/** Aborts a job and returns its status document afterwards, so the caller sees where it ended. */
export async function cancelJob(api: ApiClient, id: string): Promise<JobDocument> {
  await api.cancelJob(id);
  return api.getJob(id);
}
