import { createHmac } from 'node:crypto';

/**
 * Signed, expiring download URLs of the long-stream service: `<base>/download/<jobId>/<expires>/<sig>/`, signed
 * with the upload-signing key like upload URLs, but over `download:<jobId>:<expires>` so that an upload URL's
 * signature never opens a download (docs/data-plane.md, "Jobs longer than Lambda's 15 minutes").
 */
export function downloadSignature(secret: string, jobId: string, expires: number): string {
  return createHmac('sha256', secret).update(`download:${jobId}:${expires}`).digest('base64url');
}

/** The long-stream URL of a job, valid for `seconds` from `now`. */
export function signedLongStreamUrl(
  secret: string,
  baseUrl: string,
  jobId: string,
  now: Date,
  seconds: number,
): string {
  const expires = Math.floor(now.getTime() / 1000) + seconds;
  const base = baseUrl.replace(/\/$/, '');
  return `${base}/download/${jobId}/${expires}/${downloadSignature(secret, jobId, expires)}/`;
}
