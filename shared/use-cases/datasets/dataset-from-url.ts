/**
 * `POST datasets/fromURL/` and `datasets/{id}/versions/fromURL/`: a dataset version read from an object in the
 * user's S3 bucket (`s3://bucket/key`), with a stored `s3` credential or the stack's own access, through the
 * same bucket access as `s3` intake. The object is copied, so later changes to it do not change the version.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { ExternalBucket } from '../../ports/external-object-storage.js';
import type { Deps } from '../deps.js';
import { isPrefix, openBucket, parseS3Url } from '../jobs/intake/s3-location.js';
import { parseRequest } from '../parse-request.js';
import { addDatasetVersion, createDataset, type DatasetView } from './manage-datasets.js';

/** The body DataRobot's client sends (`Dataset.create_from_url`), plus the credential our buckets may need. */
export const DatasetFromUrlSchema = z.strictObject({
  url: z.string().min(1).max(2048).describe('s3://bucket/key of a CSV or Parquet file'),
  credentialId: z.string().min(1).nullable().optional().describe('A stored s3 credential for the bucket.'),
  categories: z.array(z.string().min(1).max(100)).max(100).optional(),
  doSnapshot: z.boolean().optional().describe('Accepted; every version is a snapshot.'),
  persistDataAfterIngestion: z.boolean().optional().describe('Accepted; the data is always kept.'),
});

/** A new dataset from the object at `url`. Throws ValidationError, NotFoundError, DataSourceError. */
export async function createDatasetFromUrl(deps: Deps, ownerId: string, body: unknown): Promise<DatasetView> {
  const request = parseRequest(DatasetFromUrlSchema, body);
  return withObject(deps, ownerId, request, (source) =>
    createDataset(deps, ownerId, source, request.categories),
  );
}

/** A new version of the owner's dataset from the object at `url`. */
export async function addDatasetVersionFromUrl(
  deps: Deps,
  ownerId: string,
  datasetId: string,
  body: unknown,
): Promise<DatasetView> {
  const request = parseRequest(DatasetFromUrlSchema, body);
  return withObject(deps, ownerId, request, (source) => addDatasetVersion(deps, ownerId, datasetId, source));
}

async function withObject(
  deps: Deps,
  ownerId: string,
  request: z.output<typeof DatasetFromUrlSchema>,
  store: (source: { fileName: string; origin: string; body: Readable }) => Promise<DatasetView>,
): Promise<DatasetView> {
  const location = await asRequestField(async () => parseS3Url(request.url, 'intakeSettings'));
  if (isPrefix(location)) {
    throw new ValidationError([{ field: 'url', message: 'expected the URL of one object, not a prefix' }]);
  }
  if (request.credentialId && !(await deps.credentials.get(ownerId, request.credentialId))) {
    throw new NotFoundError('credential', request.credentialId.slice(0, 64));
  }
  const settings = { url: request.url, credentialId: request.credentialId, format: 'csv' as const };
  const bucket: ExternalBucket = await asRequestField(() =>
    openBucket(deps, ownerId, settings, 'intakeSettings'),
  );
  try {
    const body = Readable.from(await bucket.read(location.key));
    const fileName = location.key.split('/').pop() || location.key;
    return await store({ fileName, origin: request.url, body });
  } finally {
    bucket.close();
  }
}

// The S3 helpers name fields of a job's intakeSettings; here the same fields are top-level request fields.
async function asRequestField<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw renamed(error);
  }
}

function renamed(error: unknown): unknown {
  if (!(error instanceof ValidationError)) return error;
  return new ValidationError(
    error.problems.map((p) => ({ ...p, field: p.field.replace(/^intakeSettings\./, '') })),
  );
}
