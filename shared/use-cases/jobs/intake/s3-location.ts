/**
 * What `s3` intake and output share: the `s3://bucket/key` URL, the access a job's settings give (a stored `s3`
 * credential of the job's owner, an endpoint), and the job-creation checks of both.
 */
import { DataSourceError, NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { ExternalBucket, ExternalS3Access } from '../../../ports/external-object-storage.js';
import type { Deps } from '../../deps.js';

/** A bucket and a key (a prefix when it is empty or ends in `/`). */
export interface S3Url {
  readonly bucket: string;
  readonly key: string;
}

/** The settings of `s3` intake and output that say where the data is and how to get at it. */
export interface S3Settings {
  readonly url: string;
  readonly credentialId?: string | null | undefined;
  readonly endpointUrl?: string | undefined;
  readonly format: 'csv' | 'parquet';
}

/** `intakeSettings` or `outputSettings`: the prefix of the fields reported in errors. */
export type SettingsField = 'intakeSettings' | 'outputSettings';

// Bucket names per S3's rules (3-63 of lowercase letters, digits, dots, hyphens); keys are anything after the `/`.
const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/s;

/** Parses `s3://bucket/key`; throws ValidationError on `<field>.url`. */
export function parseS3Url(url: string, field: SettingsField): S3Url {
  const match = S3_URL.exec(url);
  if (!match) {
    throw new ValidationError([
      {
        field: `${field}.url`,
        message: `got ${JSON.stringify(url.slice(0, 200))}, expected s3://bucket/key`,
      },
    ]);
  }
  return { bucket: match[1] as string, key: match[2] ?? '' };
}

/** Whether the URL names every object under a prefix rather than one object. */
export function isPrefix(url: S3Url): boolean {
  return url.key === '' || url.key.endsWith('/');
}

/**
 * Opens the bucket of `settings` for the job's owner: with the stored `s3` credential when one is named, else
 * with the stack's own access. Throws DataSourceError when the credential is gone or is not an `s3` one, and
 * ValidationError on `<field>.endpointUrl` for an endpoint that may not be used.
 */
export async function openBucket(
  deps: Deps,
  ownerId: string,
  settings: S3Settings,
  field: SettingsField,
): Promise<ExternalBucket> {
  const { bucket } = parseS3Url(settings.url, field);
  let access: ExternalS3Access = { endpointUrl: settings.endpointUrl };
  if (settings.credentialId) {
    const secret = await deps.credentials.secretOf(ownerId, settings.credentialId);
    if (!secret) throw new DataSourceError(`Credential ${settings.credentialId} no longer exists`);
    if (secret.credentialType !== 's3') throw notS3Credential(settings.credentialId, field);
    access = {
      ...access,
      keys: {
        accessKeyId: secret.awsAccessKeyId,
        secretAccessKey: secret.awsSecretAccessKey,
        sessionToken: secret.awsSessionToken,
      },
    };
  }
  try {
    return deps.externalS3.open(bucket, access);
  } catch (error) {
    throw error instanceof ValidationError ? underField(error, field) : error;
  }
}

/**
 * The job-creation checks of `s3` settings: the URL's form, a credential of type `s3`, an endpoint that may be
 * used and a bucket that is not the service's own. Returns the parsed URL.
 */
export async function checkS3Settings(
  deps: Deps,
  ownerId: string,
  settings: S3Settings,
  field: SettingsField,
): Promise<S3Url> {
  const url = parseS3Url(settings.url, field);
  if (settings.credentialId) {
    const credential = await deps.credentials.get(ownerId, settings.credentialId);
    if (!credential) throw new NotFoundError('credential', settings.credentialId.slice(0, 64));
    if (credential.credentialType !== 's3') throw notS3Credential(settings.credentialId, field);
  }
  // Opening checks the endpoint and the bucket without any request; the client is closed at once.
  (await openBucket(deps, ownerId, { ...settings, credentialId: null }, field)).close();
  return url;
}

function notS3Credential(credentialId: string, field: SettingsField): ValidationError {
  return new ValidationError([
    { field: `${field}.credentialId`, message: `credential ${credentialId} is not of credentialType "s3"` },
  ]);
}

function underField(error: ValidationError, field: SettingsField): ValidationError {
  return new ValidationError(error.problems.map((p) => ({ ...p, field: `${field}.${p.field}` })));
}
