/**
 * The external S3 adapter and the s3 output sink in isolation: S3's refusals that s3rver cannot produce (a wrong
 * secret, an expired token, a bucket in another region) turned into actionable messages, endpoints a user may not
 * name, the service's own bucket, and against s3rver the write limit and a retried delivery.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { translateS3Error } from '../../../shared/adapters/s3/external-s3-errors.js';
import { ExternalS3Storage } from '../../../shared/adapters/s3/external-s3-storage.js';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { DataSourceError, ValidationError } from '../../../shared/domain/errors.js';
import { initialJobRecord } from '../../../shared/domain/job.js';
import { parseJobSpec } from '../../../shared/domain/job-spec.js';
import { resolveDialect } from '../../../shared/engine/csv/dialect.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { s3OutputSink } from '../../../shared/use-cases/jobs/output/s3-output.js';
import { writePartitioned } from '../../../shared/use-cases/jobs/output/s3-partitioned-output.js';
import { useEmulators } from '../../support/emulators.js';

const op = { verb: 'read', location: 's3://data/in.csv', bucket: 'data' } as const;

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

describe('S3 refusals become messages a user can act on', () => {
  it.each([
    ['SignatureDoesNotMatch', 403, /awsSecretAccessKey does not match its awsAccessKeyId/],
    ['InvalidAccessKeyId', 403, /awsAccessKeyId is not known/],
    ['ExpiredToken', 400, /awsSessionToken is expired or invalid/],
    ['PermanentRedirect', 301, /Bucket data is in another region.*endpointUrl/],
    ['AuthorizationHeaderMalformed', 400, /Bucket data is in another region/],
    ['AccessDenied', 403, /Access to s3:\/\/data\/in\.csv was denied \(read\).*s3:GetObject/],
    ['NoSuchBucket', 404, /Bucket data does not exist/],
    ['NoSuchKey', 404, /No object at s3:\/\/data\/in\.csv/],
  ])('%s', (name, status, message) => {
    const translated = translateS3Error(s3Error(name, status), op);
    expect(translated).toBeInstanceOf(DataSourceError);
    expect((translated as Error).message).toMatch(message);
  });

  it('says which permission a refused write needs, and that an endpoint cannot be reached', () => {
    expect(
      (translateS3Error(s3Error('AccessDenied', 403), { ...op, verb: 'write' }) as Error).message,
    ).toMatch(/s3:PutObject/);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect((translateS3Error(refused, { ...op, endpointUrl: 'http://10.0.0.1:9000' }) as Error).message).toBe(
      'Cannot reach endpoint http://10.0.0.1:9000 for s3://data/in.csv; check endpointUrl and that the endpoint accepts connections',
    );
  });

  it('passes domain errors and failures of the service itself through', () => {
    const limit = new DataSourceError('over the limit');
    expect(translateS3Error(limit, op)).toBe(limit);
    const internal = s3Error('InternalError', 500);
    expect(translateS3Error(internal, op)).toBe(internal);
  });
});

describe('which buckets and endpoints a job may name', () => {
  const storage = new ExternalS3Storage({ base: {}, ownBucket: 'batchline', allowPrivateEndpoints: false });

  it.each([
    'http://169.254.169.254/latest',
    'http://127.0.0.1:9000',
    'http://localhost:9000',
    'http://10.1.2.3',
    'http://[::1]:9000',
    'http://[fd00::1]',
    'ftp://files.example.com',
    'not a url',
  ])('refuses endpoint %s on AWS', (endpointUrl) => {
    expect(() => storage.open('data', { endpointUrl })).toThrow(ValidationError);
  });

  it('never presents the service’s own identity to an endpoint a user named', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(403).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const local = new ExternalS3Storage({
      base: {
        region: 'us-east-1',
        credentials: { accessKeyId: 'STACK-KEY', secretAccessKey: 'STACK-SECRET' },
      },
      ownBucket: 'batchline',
      allowPrivateEndpoints: true,
    });
    try {
      const anonymous = local.open('data', { endpointUrl });
      await expect(anonymous.read('in.csv')).rejects.toThrow(/was denied/);
      anonymous.close();
      const keyed = local.open('data', {
        endpointUrl,
        keys: { accessKeyId: 'USER-KEY', secretAccessKey: 'x' },
      });
      await expect(keyed.read('in.csv')).rejects.toThrow(/was denied/);
      keyed.close();
    } finally {
      server.close();
    }
    expect(seen[0]).toBeUndefined();
    expect(seen.at(-1)).toMatch(/Credential=USER-KEY\//);
    expect(seen.join(' ')).not.toContain('STACK-KEY');
  });

  it('accepts a public endpoint, and the service’s own bucket name only at another endpoint', () => {
    storage.open('data', { endpointUrl: 'https://storage.example.com' }).close();
    storage.open('batchline', { endpointUrl: 'https://storage.example.com' }).close();
    expect(() => storage.open('batchline', {})).toThrow(/own data/);
  });
});

describe('the s3 output sink against s3rver', () => {
  const emulators = useEmulators();
  const csv = `a,b\n${Array.from({ length: 200 }, (_, i) => `${i},${i * 2}`).join('\n')}\n`;
  const job = initialJobRecord({
    id: 'f'.repeat(24),
    ownerId: 'alice',
    deploymentId: 'd'.repeat(24),
    modelVersionId: 'm'.repeat(24),
    spec: parseJobSpec({
      deploymentId: 'd'.repeat(24),
      outputSettings: { type: 's3', url: 's3://sink-test/out.csv' },
    }),
    created: new Date().toISOString(),
  });

  const depsWithLimit = (externalWriteLimitBytes: number) =>
    ({
      externalS3: new ExternalS3Storage({
        base: localS3ClientConfig(emulators.s3Endpoint),
        ownBucket: 'batchline',
        allowPrivateEndpoints: true,
      }),
      config: { externalWriteLimitBytes },
    }) as unknown as Deps;

  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < csv.length; i += 100) yield Buffer.from(csv.slice(i, i + 100));
  }

  beforeAll(async () => {
    await emulators.s3.send(new CreateBucketCommand({ Bucket: 'sink-test' }));
  });

  it('replaces the object when a delivery is retried, so rows are never written twice', async () => {
    const deps = depsWithLimit(csv.length);
    expect(await s3OutputSink.deliver(deps, job, pieces())).toBe(csv.length);
    expect(await s3OutputSink.deliver(deps, job, pieces())).toBe(csv.length);
    const out = await emulators.s3.send(new GetObjectCommand({ Bucket: 'sink-test', Key: 'out.csv' }));
    expect(await out.Body?.transformToString()).toBe(csv);
    expect(out.ContentType).toBe('text/csv');
  });

  it('asks S3 for server-side encryption, and refuses customer-provided keys at job creation', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume().on('end', () => res.writeHead(200, { ETag: '"e"' }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const output = (serverSideEncryption: Record<string, string>) => ({
      type: 's3',
      url: 's3://sink-test/encrypted.csv',
      endpointUrl,
      serverSideEncryption,
    });
    try {
      const spec = parseJobSpec({
        deploymentId: 'd'.repeat(24),
        outputSettings: output({ kmsKeyId: 'alias/scores' }),
      });
      await s3OutputSink.deliver(depsWithLimit(csv.length), { ...job, spec }, pieces());
    } finally {
      server.close();
    }
    expect(seen.at(-1)).toMatchObject({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'alias/scores',
    });
    const sseC = parseJobSpec({
      deploymentId: 'd'.repeat(24),
      outputSettings: output({ customerAlgorithm: 'AES256', customerKey: 'k'.repeat(44) }),
    });
    await expect(s3OutputSink.checkSpec?.(depsWithLimit(1), 'alice', sseC)).rejects.toThrow(/SSE-C/);
  });

  it('writes partitioned Parquet, Hive style, rows in order, spilling to scratch space and cleaning it up', async () => {
    const input = ['region,a,pred', 'east,1,0.5', 'west,2,0.25', '"east",3,0.75', ',4,1', 'west,5,0'].join(
      '\n',
    );
    const scratch = new S3ObjectStore(emulators.s3, 'sink-test');
    const bucket = depsWithLimit(1e6).externalS3.open('sink-test', {});
    const written = await writePartitioned(
      {
        objects: scratch,
        jobId: job.id,
        bucket,
        prefix: 'parts/',
        partitionColumns: ['region'],
        dialect: resolveDialect({}),
        options: { contentType: 'application/vnd.apache.parquet' },
        limit: (bytes) => bytes,
        spillBytes: 8,
      },
      (async function* () {
        yield Buffer.from(`${input}\n`);
      })(),
    );
    bucket.close();
    const read = async (key: string) => {
      const out = await emulators.s3.send(new GetObjectCommand({ Bucket: 'sink-test', Key: key }));
      const bytes = await out.Body?.transformToByteArray();
      return parquetReadObjects({ file: (bytes as Uint8Array).slice().buffer });
    };
    expect(await read('parts/region=east/part-00000.parquet')).toEqual([
      { a: 1, pred: 0.5 },
      { a: 3, pred: 0.75 },
    ]);
    expect(await read('parts/region=west/part-00000.parquet')).toEqual([
      { a: 2, pred: 0.25 },
      { a: 5, pred: 0 },
    ]);
    expect(await read('parts/region=__HIVE_DEFAULT_PARTITION__/part-00000.parquet')).toEqual([
      { a: 4, pred: 1 },
    ]);
    expect(written).toBeGreaterThan(0);
    expect(await scratch.list(`jobs/${job.id}/output-partitions/`)).toEqual([]);
  });

  it('refuses partitioning by a column the output does not have', async () => {
    const bucket = depsWithLimit(1e6).externalS3.open('sink-test', {});
    const write = writePartitioned(
      {
        objects: new S3ObjectStore(emulators.s3, 'sink-test'),
        jobId: job.id,
        bucket,
        prefix: 'parts/',
        partitionColumns: ['country'],
        dialect: resolveDialect({}),
        options: { contentType: 'application/vnd.apache.parquet' },
        limit: (bytes) => bytes,
      },
      (async function* () {
        yield Buffer.from('region,a\neast,1\n');
      })(),
    );
    await expect(write).rejects.toThrow(/"country" is not in the output; pass it through/);
    bucket.close();
  });

  it('fails past the write limit and leaves nothing at the destination', async () => {
    const spec = parseJobSpec({
      deploymentId: 'd'.repeat(24),
      outputSettings: { type: 's3', url: 's3://sink-test/too-big.csv' },
    });
    await expect(s3OutputSink.deliver(depsWithLimit(1000), { ...job, spec }, pieces())).rejects.toThrow(
      /exceeds the S3 write limit of 1000 bytes/,
    );
    await expect(
      emulators.s3.send(new HeadObjectCommand({ Bucket: 'sink-test', Key: 'too-big.csv' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });
  it('stops a multipart upload past the limit with the limit’s own message, even where aborting fails', async () => {
    // s3rver answers AbortMultipartUpload with MethodNotAllowed; the reason reported must still be the limit's.
    const mib = Buffer.alloc(1 << 20, 97);
    const spec = parseJobSpec({
      deploymentId: 'd'.repeat(24),
      outputSettings: { type: 's3', url: 's3://sink-test/multipart.csv' },
    });
    const body = (async function* () {
      for (let i = 0; i < 40; i++) yield mib;
    })();
    await expect(s3OutputSink.deliver(depsWithLimit(20 << 20), { ...job, spec }, body)).rejects.toThrow(
      /exceeds the S3 write limit of 20971520 bytes/,
    );
    await expect(
      emulators.s3.send(new HeadObjectCommand({ Bucket: 'sink-test', Key: 'multipart.csv' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });
});
