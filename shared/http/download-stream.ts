/**
 * The output download as both HTTP edges serve it (the download Lambda and the local server): the job's scored
 * CSV in order, or the HTTP error a DataRobot client expects.
 */
import { ValidationError } from '../domain/errors.js';
import type { Deps } from '../use-cases/deps.js';
import { type DownloadOptions, openDownload } from '../use-cases/jobs/download-output.js';
import { HttpError } from './http-errors.js';

/** The 404 for a job the caller cannot see, or one with no output to download yet. */
export function noOutputError(jobId: string): HttpError {
  return new HttpError(404, `batch prediction job ${jobId} not found, or it has no output yet`);
}

/**
 * Opens `jobId`'s output for `ownerId` (see openDownload).
 *
 * @throws HttpError 404 when there is no such job or no output yet, 406 when the output is not a downloadable
 *   CSV (it went to another destination).
 */
export async function openHttpDownload(
  deps: Deps,
  ownerId: string,
  jobId: string,
  options: DownloadOptions,
): Promise<AsyncIterable<Buffer>> {
  const output = await openDownload(deps, ownerId, jobId, options).catch((error: unknown) => {
    if (error instanceof ValidationError) throw new HttpError(406, error.message);
    throw error;
  });
  if (!output) throw noOutputError(jobId);
  return output;
}
