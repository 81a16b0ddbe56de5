/**
 * `s3` output (`{type: s3, url, credentialId?, endpointUrl?, format?, serverSideEncryption?}`): the scored CSV,
 * or its Parquet conversion, written to the object at `url` by multipart upload, encrypted at rest as asked
 * (SSE-S3 or SSE-KMS). A finalize that runs again replaces the object, so a retried delivery never duplicates
 * rows. A job whose output would exceed the write limit (100 GB by default, as DataRobot's;
 * `config.externalWriteLimitBytes`) ends ABORTED, and the upload is aborted with nothing left.
 */
import { DataSourceError, NotSupportedError, ValidationError } from '../../../domain/errors.js';
import type { OutputSettings } from '../../../domain/job-spec.js';
import { isUtf8, resolveDialect } from '../../../engine/csv/dialect.js';
import { csvToParquet } from '../../../engine/parquet/csv-to-parquet.js';
import type { ServerSideEncryption } from '../../../ports/external-object-storage.js';
import { checkS3Settings, isPrefix, openBucket, parseS3Url } from '../intake/s3-location.js';
import { jobSettings } from '../job-context.js';
import type { OutputSink } from './output-sinks.js';
import { writePartitioned } from './s3-partitioned-output.js';

type S3OutputSettings = Extract<OutputSettings, { type: 's3' }>;

/** DataRobot's S3 write limit (seed 003: "S3 write size 100GB"). */
export const DEFAULT_EXTERNAL_WRITE_LIMIT_BYTES = 100 * 1000 ** 3;

/** Writes a job's output to `s3`; returns the bytes written (of the Parquet file, for `format: parquet`). */
export const s3OutputSink: OutputSink = {
  async deliver(deps, job, csv) {
    const { spec, dialect } = jobSettings(job);
    const settings = spec.outputSettings as S3OutputSettings;
    const { key } = parseS3Url(settings.url, 'outputSettings');
    const parquet = settings.format === 'parquet';
    const options = {
      contentType: parquet ? 'application/vnd.apache.parquet' : 'text/csv',
      serverSideEncryption: encryptionOf(settings),
    };
    const limit = writeLimiter(
      deps.config.externalWriteLimitBytes ?? DEFAULT_EXTERNAL_WRITE_LIMIT_BYTES,
      settings.url,
    );
    const bucket = await openBucket(deps, job.ownerId, settings, 'outputSettings');
    try {
      if (settings.partitionColumns) {
        const { partitionColumns } = settings;
        return await writePartitioned(
          {
            objects: deps.objects,
            jobId: job.id,
            bucket,
            prefix: key,
            partitionColumns,
            dialect,
            options,
            limit,
          },
          csv,
        );
      }
      return await bucket.write(key, limit(parquet ? csvToParquet(csv, { dialect }) : csv), options);
    } finally {
      bucket.close();
    }
  },

  async checkSpec(deps, ownerId, spec) {
    const settings = spec.outputSettings as S3OutputSettings;
    const url = await checkS3Settings(deps, ownerId, settings, 'outputSettings');
    if (settings.format === 'parquet' && !isUtf8(resolveDialect(spec.csvSettings))) {
      throw new ValidationError([
        {
          field: 'csvSettings.encoding',
          message: `got ${JSON.stringify(spec.csvSettings.encoding)}; Parquet output is converted from UTF-8 CSV, so expected utf-8`,
        },
      ]);
    }
    const sse = settings.serverSideEncryption;
    if (sse?.customerKey !== undefined || sse?.customerAlgorithm !== undefined) {
      throw new NotSupportedError(
        'outputSettings.serverSideEncryption.customerKey',
        'outputSettings.serverSideEncryption: customer-provided keys (SSE-C) are not supported; use algorithm ' +
          '"aws:kms" with kmsKeyId, or "AES256"',
      );
    }
    // Partitions are a folder of files; anything else is one object.
    const partitioned = settings.partitionColumns !== undefined;
    if (isPrefix(url) !== partitioned) {
      const message = partitioned
        ? 'expected a folder URL ending in "/" (s3://bucket/prefix/) for partitioned output'
        : 'expected the URL of an object (s3://bucket/key), not a folder';
      throw new ValidationError([{ field: 'outputSettings.url', message }]);
    }
  },
};

/** SSE-S3 or SSE-KMS as asked; a KMS key id alone implies `aws:kms`. */
function encryptionOf(settings: S3OutputSettings): ServerSideEncryption | undefined {
  const sse = settings.serverSideEncryption;
  const algorithm = sse?.algorithm ?? (sse?.kmsKeyId ? 'aws:kms' : undefined);
  if (!algorithm) return undefined;
  return { algorithm, kmsKeyId: sse?.kmsKeyId, kmsEncryptionContext: sse?.kmsEncryptionContext };
}

/**
 * Wraps the bodies of one job's writes so that together they fail with a DataSourceError (which aborts the
 * upload in progress) once they pass `limit` bytes.
 */
function writeLimiter(
  limit: number,
  url: string,
): (body: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array> {
  let bytes = 0;
  return async function* limited(body) {
    for await (const piece of body) {
      bytes += piece.length;
      if (bytes > limit) {
        throw new DataSourceError(
          `The output to ${url} exceeds the S3 write limit of ${limit} bytes; score the data in smaller jobs`,
        );
      }
      yield piece;
    }
  };
}
