/**
 * `s3` intake and output end to end through the local HTTP API, against s3rver with a second bucket (the
 * customer's) and explicit stored credentials: the scored object equals the localFile job's output byte for byte,
 * prefixes and Parquet are read, and every bad input ends the job ABORTED quickly with a message a user can act on
 * that never contains the secret.
 */
import { createServer } from 'node:net';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import { openDownload } from '../../../shared/use-cases/jobs/download-output.js';
import type { TestApi } from '../../support/local-stack.js';
import { useLocalStack } from '../../support/local-stack.js';
import { classifier, dataset, registerModel } from '../projects/support.js';

const BUCKET = 'customer-data';
const SECRET = 'do-not-leak-4f1c9e';
const ROWS = 3000;

/** A job's final status, polled until it is COMPLETED or ABORTED. */
async function finished(api: TestApi, jobId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const job = (await api.call('GET', `batchPredictions/${jobId}/`)).body;
    if (job.status === 'COMPLETED' || job.status === 'ABORTED') return job;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${jobId} did not finish`);
}

describe('s3 intake and output', () => {
  const api = useLocalStack({ chunkBytes: 16 * 1024 });
  const csv = dataset(ROWS, 11);
  let s3: S3Client;
  let endpointUrl: string;
  let deploymentId: string;
  let credentialId: string;
  let reference: string;

  beforeAll(async () => {
    endpointUrl = api().stack.s3Endpoint;
    s3 = new S3Client(localS3ClientConfig(endpointUrl));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await put('in/scoring.csv', csv);
    const modelPackageId = await registerModel(api(), classifier, 'churn');
    const deployment = await api().call('POST', 'deployments/fromModelPackage/', {
      modelPackageId,
      label: 'c',
    });
    deploymentId = deployment.body.id as string;
    const credential = await api().call('POST', 'credentials/', {
      name: 'customer bucket',
      credentialType: 's3',
      awsAccessKeyId: 'S3RVER',
      awsSecretAccessKey: 'S3RVER',
    });
    expect(credential.status, credential.text).toBe(201);
    credentialId = credential.body.credentialId as string;
    reference = await localFileOutput(csv);
  }, 120_000);

  afterAll(() => s3?.destroy());

  async function put(key: string, body: string | Uint8Array): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  async function get(key: string): Promise<Buffer> {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(
      await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  }

  /** What the same deployment returns for `input` uploaded as a local file: the one-pass scoring reference. */
  async function localFileOutput(input: string): Promise<string> {
    const created = await api().call('POST', 'batchPredictions/', { deploymentId });
    const upload = await fetch((created.body.links as { csvUpload: string }).csvUpload, {
      method: 'PUT',
      headers: { Authorization: `Token ${api().key}`, 'Content-Type': 'text/csv' },
      body: input,
    });
    expect(upload.status).toBe(202);
    const job = await finished(api(), created.body.id as string);
    expect(job.status).toBe('COMPLETED');
    // The download use case's bytes, without the HTTP transport around them.
    const deps = api().stack.deps;
    const record = await deps.jobs.getById(created.body.id as string);
    const output = await openDownload(deps, record?.ownerId as string, record?.id as string, { pollMs: 50 });
    const pieces: Buffer[] = [];
    for await (const piece of output ?? []) pieces.push(piece);
    return Buffer.concat(pieces).toString('utf8');
  }

  async function run(
    intake: Record<string, unknown>,
    output: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<{ job: Record<string, unknown>; seconds: number }> {
    const started = Date.now();
    const created = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: intake,
      outputSettings: output,
      ...extra,
    });
    expect(created.status, created.text).toBe(202);
    const job = await finished(api(), created.body.id as string);
    return { job, seconds: (Date.now() - started) / 1000 };
  }

  it('scores an object into another object equal, byte for byte, to the localFile output', async () => {
    const { job } = await run(
      { type: 's3', url: `s3://${BUCKET}/in/scoring.csv`, credentialId, endpointUrl },
      { type: 's3', url: `s3://${BUCKET}/out/scored.csv`, credentialId, endpointUrl },
    );
    expect(job.status, String(job.statusDetails)).toBe('COMPLETED');
    const written = await get('out/scored.csv');
    expect(written.toString('utf8')).toBe(reference);
    expect(job).toMatchObject({
      scoredRows: ROWS,
      jobIntakeSize: Buffer.byteLength(csv),
      jobOutputSize: written.length,
    });
    expect((job.chunksTotal ?? 0) as number).toBeGreaterThanOrEqual(0);
    expect(job.links).not.toHaveProperty('download');
  });

  it('reads every object under a prefix, in key order, with the stack’s own access when no credential is named', async () => {
    const [header, ...lines] = csv.trimEnd().split('\n');
    await put('parts/b.csv', `${header}\n${lines.slice(1000).join('\n')}\n`);
    await put('parts/a.csv', `${header}\n${lines.slice(0, 1000).join('\n')}\n`);
    await put('parts/', '');
    const { job } = await run(
      { type: 's3', url: `s3://${BUCKET}/parts/` },
      { type: 's3', url: `s3://${BUCKET}/out/from-prefix.csv` },
    );
    expect(job.status, String(job.statusDetails)).toBe('COMPLETED');
    expect((await get('out/from-prefix.csv')).toString('utf8')).toBe(reference);
  });

  it('reads Parquet input and writes Parquet output', async () => {
    const rows = csv
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      columnData: [
        { name: 'id', data: rows.map((r) => BigInt(r[0] as string)), type: 'INT64' },
        { name: 'a', data: rows.map((r) => r[1] as string), type: 'STRING' },
        { name: 'b', data: rows.map((r) => r[2] as string), type: 'STRING' },
      ],
      rowGroupSize: 1000,
    });
    await put('in/scoring.parquet', new Uint8Array(writer.getBytes()));
    const { job } = await run(
      { type: 's3', url: `s3://${BUCKET}/in/scoring.parquet`, credentialId, endpointUrl, format: 'parquet' },
      { type: 's3', url: `s3://${BUCKET}/out/scored.parquet`, credentialId, endpointUrl, format: 'parquet' },
    );
    expect(job.status, String(job.statusDetails)).toBe('COMPLETED');
    const bytes = await get('out/scored.parquet');
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    const read = await parquetReadObjects({ file });
    const [header, ...expected] = reference.trimEnd().split('\n');
    expect(read).toHaveLength(ROWS);
    expect(Object.keys(read[0] as object)).toEqual((header as string).split(','));
    // The same predictions as the CSV output, typed: numeric columns are doubles in the Parquet file.
    const asText = (row: Record<string, unknown>) =>
      Object.values(row).map((v) => (typeof v === 'number' ? String(v) : v));
    const csvRow = (line: string) =>
      line.split(',').map((c) => (c === '' || Number.isNaN(Number(c)) ? c : String(Number(c))));
    expect(read.map((r) => asText(r as Record<string, unknown>))).toEqual(expected.map(csvRow));
    expect(job.jobOutputSize).toBe(bytes.length);
  });

  it('writes Parquet partitioned by a passed-through column, one folder per value', async () => {
    await put('in/regions.csv', dataset(300, 5, { region: (i) => (i % 3 === 0 ? 'east' : 'west') }));
    const { job } = await run(
      { type: 's3', url: `s3://${BUCKET}/in/regions.csv`, credentialId, endpointUrl },
      {
        type: 's3',
        url: `s3://${BUCKET}/by-region/`,
        credentialId,
        endpointUrl,
        format: 'parquet',
        partitionColumns: ['region'],
      },
      { passthroughColumns: ['region'] },
    );
    expect(job.status, String(job.statusDetails)).toBe('COMPLETED');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'by-region/' }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([
      'by-region/region=east/part-00000.parquet',
      'by-region/region=west/part-00000.parquet',
    ]);
    const rows = async (key: string) => {
      const bytes = await get(key);
      return (
        await parquetReadObjects({
          file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
        })
      ).length;
    };
    expect(await rows('by-region/region=east/part-00000.parquet')).toBe(100);
    expect(await rows('by-region/region=west/part-00000.parquet')).toBe(200);
  });

  it('refuses at creation a URL that is not s3://, the service’s own bucket and another user’s credential', async () => {
    const bad = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: { type: 's3', url: 'https://example.com/data.csv' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toHaveProperty(['intakeSettings.url']);
    const own = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: { type: 's3', url: 's3://batchline/jobs/' },
    });
    expect(own.status).toBe(422);
    expect(own.body.message).toMatch(/own data/);
    const basic = await api().call('POST', 'credentials/', {
      name: 'db',
      credentialType: 'basic',
      user: 'u',
      password: 'p',
    });
    const wrongType = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: {
        type: 's3',
        url: `s3://${BUCKET}/in/scoring.csv`,
        credentialId: basic.body.credentialId,
      },
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors).toHaveProperty(['intakeSettings.credentialId']);
    const bob = await api().call('POST', 'apiKeys/', { name: 'bob', user: 'bob' });
    const foreign = await api().call(
      'POST',
      'batchPredictions/',
      {
        deploymentId,
        intakeSettings: { type: 's3', url: `s3://${BUCKET}/in/scoring.csv`, credentialId },
      },
      { key: bob.body.key as string },
    );
    expect(foreign.status).toBe(404);
  });

  describe('bad input ends the job ABORTED in seconds, saying what to fix, without the secret', () => {
    let wrongKeys: string;

    beforeAll(async () => {
      // s3rver checks the access key id, not the signature: a wrong secret is covered with a mocked client.
      const created = await api().call('POST', 'credentials/', {
        name: 'wrong keys',
        credentialType: 's3',
        awsAccessKeyId: 'NOT-A-KEY',
        awsSecretAccessKey: SECRET,
      });
      wrongKeys = created.body.credentialId as string;
    });

    const cases: [string, () => Record<string, unknown>, () => Record<string, unknown>, RegExp][] = [
      [
        'an unknown access key',
        () => ({ type: 's3', url: `s3://${BUCKET}/in/scoring.csv`, credentialId: wrongKeys, endpointUrl }),
        () => ({ type: 'localFile' }),
        /Access to s3:\/\/customer-data\/in\/scoring\.csv was denied/,
      ],
      [
        'a missing object',
        () => ({ type: 's3', url: `s3://${BUCKET}/in/nothing.csv`, credentialId, endpointUrl }),
        () => ({ type: 'localFile' }),
        /No object at s3:\/\/customer-data\/in\/nothing\.csv/,
      ],
      [
        'an empty prefix',
        () => ({ type: 's3', url: `s3://${BUCKET}/nothing-here/`, credentialId, endpointUrl }),
        () => ({ type: 'localFile' }),
        /No objects under s3:\/\/customer-data\/nothing-here\//,
      ],
      [
        'a missing bucket',
        () => ({ type: 's3', url: 's3://no-such-bucket/in.csv', credentialId, endpointUrl }),
        () => ({ type: 'localFile' }),
        /Bucket no-such-bucket does not exist/,
      ],
      [
        'an output bucket that does not exist',
        () => ({ type: 's3', url: `s3://${BUCKET}/in/scoring.csv`, credentialId, endpointUrl }),
        () => ({ type: 's3', url: 's3://no-such-bucket/out.csv', credentialId, endpointUrl }),
        /Bucket no-such-bucket does not exist/,
      ],
    ];

    it.each(cases)('%s', async (_, intake, output, message) => {
      const { job, seconds } = await run(intake(), output());
      expect(job.status).toBe('ABORTED');
      expect(job.statusDetails).toMatch(message);
      expect(JSON.stringify(job)).not.toContain(SECRET);
      expect(seconds).toBeLessThan(15);
    });

    it('an endpoint nothing listens on', async () => {
      const closed = await unusedPort();
      const { job, seconds } = await run(
        {
          type: 's3',
          url: `s3://${BUCKET}/in/scoring.csv`,
          credentialId,
          endpointUrl: `http://127.0.0.1:${closed}`,
        },
        { type: 'localFile' },
      );
      expect(job.status).toBe('ABORTED');
      expect(job.statusDetails).toMatch(/Cannot reach endpoint http:\/\/127\.0\.0\.1:\d+/);
      expect(seconds).toBeLessThan(15);
    });
  });

  it('leaves the input bucket as it was', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'in/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      'in/regions.csv',
      'in/scoring.csv',
      'in/scoring.parquet',
    ]);
  });
});

/** A local port with nothing listening on it. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
