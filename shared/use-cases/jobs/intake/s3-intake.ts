/**
 * `s3` intake (`{type: s3, url, credentialId?, endpointUrl?, format?}`): the object at `url`, or every object
 * under it when the URL ends in `/` (in key order, each a CSV file with its own header row, as a multipart upload
 * would be), streamed into the job's input parts. Parquet objects are converted to CSV on the way, one row group
 * at a time, through ranged reads.
 */
import { Readable } from 'node:stream';
import { DataSourceError } from '../../../domain/errors.js';
import type { IntakeSettings } from '../../../domain/job-spec.js';
import type { RandomAccessFile } from '../../../engine/parquet/parquet-to-csv.js';
import type { ExternalBucket, ExternalObject } from '../../../ports/external-object-storage.js';
import { MAX_INPUT_PART } from '../input-upload.js';
import { jobSettings } from '../job-context.js';
import { inputPartKey } from '../job-keys.js';
import type { IntakeSource } from './intake-sources.js';
import { writeParquetAsCsv } from './parquet-input.js';
import { checkS3Settings, isPrefix, openBucket, parseS3Url } from './s3-location.js';

type S3IntakeSettings = Extract<IntakeSettings, { type: 's3' }>;

/** Reads `s3` intake into the job's input parts. */
export const s3IntakeSource: IntakeSource = {
  async materialize(deps, job) {
    const { spec, dialect } = jobSettings(job);
    const settings = spec.intakeSettings as S3IntakeSettings;
    const bucket = await openBucket(deps, job.ownerId, settings, 'intakeSettings');
    try {
      const objects = await objectsToRead(bucket, settings.url);
      let bytes = 0;
      for (const [part, object] of objects.entries()) {
        const target = inputPartKey(job.id, part);
        if (settings.format === 'parquet') {
          await writeParquetAsCsv(deps.objects, randomAccess(bucket, object), target, dialect);
        } else {
          const csv = Readable.from(await bucket.read(object.key));
          await deps.objects.put(target, csv, { contentType: 'text/csv' });
        }
        bytes += object.size;
      }
      return bytes;
    } finally {
      bucket.close();
    }
  },

  async checkSpec(deps, ownerId, spec) {
    await checkS3Settings(deps, ownerId, spec.intakeSettings as S3IntakeSettings, 'intakeSettings');
  },
};

/** The objects the URL names: one, or all under a prefix except folder markers, in key order. */
async function objectsToRead(bucket: ExternalBucket, url: string): Promise<ExternalObject[]> {
  const location = parseS3Url(url, 'intakeSettings');
  if (!isPrefix(location)) return [{ key: location.key, size: await bucket.size(location.key) }];
  const objects = (await bucket.list(location.key)).filter((o) => !o.key.endsWith('/'));
  if (objects.length === 0) throw new DataSourceError(`No objects under ${url}; check the URL`);
  if (objects.length > MAX_INPUT_PART + 1) {
    throw new DataSourceError(
      `${objects.length} objects under ${url}; at most ${MAX_INPUT_PART + 1} can be scored`,
    );
  }
  return objects;
}

/** The object as a random-access file for the Parquet reader, read by ranged GETs. */
function randomAccess(bucket: ExternalBucket, object: ExternalObject): RandomAccessFile {
  return {
    byteLength: object.size,
    async slice(start, end = object.size) {
      const pieces: Uint8Array[] = [];
      for await (const piece of await bucket.read(object.key, { start, end })) pieces.push(piece);
      const bytes = Buffer.concat(pieces);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
