/**
 * Turns what S3 (or the network on the way to it) says into a DataSourceError a user can act on. Messages name
 * the `s3://` location and what to check; they never quote the SDK's error text, which may echo request headers.
 */
import { DataSourceError, DomainError } from '../../domain/errors.js';

/** What was being done when S3 failed, for the message. */
export interface S3Operation {
  readonly verb: 'read' | 'list' | 'write';
  /** `s3://bucket/key` (or a prefix). */
  readonly location: string;
  readonly bucket: string;
  /** The endpoint asked, or undefined for the stack's default one. */
  readonly endpointUrl?: string;
}

/** The object is missing (the bucket exists). */
export function missingObject(op: S3Operation): DataSourceError {
  return new DataSourceError(`No object at ${op.location}; check the URL`);
}

/** The network errors that mean "the endpoint cannot be reached". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
]);

/**
 * The DataSourceError for `error`, or `error` itself when it is a domain error already (e.g. a write limit raised
 * by the body being uploaded) or nothing a user can fix (then it is a failure of the service, reported as such).
 */
export function translateS3Error(error: unknown, op: S3Operation): unknown {
  if (error instanceof DomainError) return error;
  const name = (error as { name?: unknown })?.name;
  const code = (error as { code?: unknown })?.code;
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const endpoint = op.endpointUrl ? `endpoint ${op.endpointUrl}` : 'the S3 endpoint';
  switch (name) {
    case 'NoSuchBucket':
      return new DataSourceError(`Bucket ${op.bucket} does not exist (${op.location}); check the URL`);
    case 'NoSuchKey':
      return missingObject(op);
    case 'InvalidAccessKeyId':
      return new DataSourceError(
        `Access to ${op.location} was denied: the credential's awsAccessKeyId is not known to ${endpoint}`,
      );
    case 'SignatureDoesNotMatch':
      return new DataSourceError(
        `Access to ${op.location} was denied: the credential's awsSecretAccessKey does not match its awsAccessKeyId`,
      );
    case 'ExpiredToken':
    case 'InvalidToken':
      return new DataSourceError(
        `Access to ${op.location} was denied: the credential's awsSessionToken is expired or invalid`,
      );
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return new DataSourceError(
        `Bucket ${op.bucket} is in another region than ${endpoint} serves; use the bucket's regional endpoint in endpointUrl`,
      );
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    return new DataSourceError(
      `Access to ${op.location} was denied (${op.verb}); check that the credential (or the service's role, ` +
        'without one) may ' +
        (op.verb === 'write' ? 's3:PutObject' : op.verb === 'list' ? 's3:ListBucket' : 's3:GetObject') +
        ' there and that the bucket policy allows it',
    );
  }
  if (name === 'NotFound' || status === 404) {
    return new DataSourceError(`No object or bucket at ${op.location}; check the URL`);
  }
  if (
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    (typeof name === 'string' && UNREACHABLE.has(name))
  ) {
    return new DataSourceError(
      `Cannot reach ${endpoint} for ${op.location}; check endpointUrl and that the endpoint accepts connections`,
    );
  }
  return error;
}
