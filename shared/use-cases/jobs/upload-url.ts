import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UseCaseConfig } from '../deps.js';

/**
 * Signed, expiring, per-job upload URLs for the data plane: `<dataPlane>/upload/<jobId>/<expires>/<sig>/`. The
 * DataRobot client sends its own Authorization header with the body, so the URL itself must carry the proof.
 * CloudFront's viewer function (infra/data-plane) checks the same signature on AWS.
 */
export function uploadSignature(secret: string, jobId: string, expires: number): string {
  return createHmac('sha256', secret).update(`${jobId}:${expires}`).digest('base64url');
}

/** The upload URL of a job, valid for config.uploadUrlSeconds from `now`; it ends in "/" as clients append parts. */
export function signedUploadUrl(config: UseCaseConfig, jobId: string, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + config.uploadUrlSeconds;
  return `${config.dataPlaneUrl}/upload/${jobId}/${expires}/${uploadSignature(config.uploadSecret, jobId, expires)}/`;
}

export type UploadUrlCheck = 'ok' | 'expired' | 'bad-signature';

/** Checks the job id, expiry and signature taken from an upload path. */
export function checkUploadUrl(
  secret: string,
  jobId: string,
  expires: string,
  signature: string,
  now: Date,
): UploadUrlCheck {
  const expected = Buffer.from(uploadSignature(secret, jobId, Number(expires)));
  const given = Buffer.from(signature);
  if (!/^\d+$/.test(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'bad-signature';
  }
  return Number(expires) * 1000 < now.getTime() ? 'expired' : 'ok';
}
