/**
 * The dataset catalog end to end through the local HTTP API: uploads (CSV and Parquet) and versions through
 * DataRobot's status pattern, `dataset` intake scoring a version (the same bytes every time), owner isolation and
 * refusals of bad files.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import { type ApiAnswer, type TestApi, useLocalStack } from '../../support/local-stack.js';
import { createRng } from '../../support/onnx-factory.js';
import { classifier, registerModel } from '../projects/support.js';

const ROWS = 1000;

/** The same rows as CSV (a and b with 5 decimals) and as Parquet (id INT64, a and b DOUBLE). */
function sameRows(seed: number): { csv: Buffer; parquet: Buffer } {
  const rng = createRng(seed);
  const a = Array.from({ length: ROWS }, () => Number(rng.normal().toFixed(5)));
  const b = Array.from({ length: ROWS }, () => Number(rng.normal().toFixed(5)));
  const lines = ['id,a,b', ...a.map((x, i) => `${i},${x},${b[i]}`)];
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: [
      { name: 'id', data: a.map((_, i) => BigInt(i)), type: 'INT64' },
      { name: 'a', data: a, type: 'DOUBLE' },
      { name: 'b', data: b, type: 'DOUBLE' },
    ],
    rowGroupSize: 1000,
  });
  return { csv: Buffer.from(`${lines.join('\n')}\n`), parquet: Buffer.from(writer.getBytes()) };
}

/** POSTs a multipart form with one binary `file` part, as the DataRobot client uploads. */
async function postFile(
  api: TestApi,
  path: string,
  name: string,
  bytes: Buffer,
  key = api.key,
): Promise<ApiAnswer> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${api.endpoint}/${path}`, {
    method: 'POST',
    headers: { Authorization: `Token ${key}` },
    body: form,
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {}, text };
}

/** Follows the status pattern (202 → status → 303) and returns the created dataset version's document. */
async function settled(api: TestApi, posted: ApiAnswer): Promise<Record<string, unknown>> {
  expect(posted.status, posted.text).toBe(202);
  const status = await api.call('GET', posted.headers.get('location') as string);
  expect(status.status).toBe(303);
  const version = await api.call('GET', status.headers.get('location') as string);
  expect(version.status).toBe(200);
  return version.body;
}

async function deploy(api: TestApi): Promise<string> {
  const modelPackageId = await registerModel(api, classifier, 'churn');
  const deployment = await api.call('POST', 'deployments/fromModelPackage/', {
    modelPackageId,
    label: 'churn',
  });
  expect(deployment.status).toBe(201);
  return deployment.body.id as string;
}

/** Scores a dataset (version) and returns the job's final status and its output. */
async function score(api: TestApi, deploymentId: string, intake: Record<string, unknown>) {
  const created = await api.call('POST', 'batchPredictions/', { deploymentId, intakeSettings: intake });
  expect(created.status, created.text).toBe(202);
  return finished(api, created.body.id as string);
}

/** Waits for the job to end; returns its final status and, when COMPLETED, its downloaded output. */
async function finished(
  api: TestApi,
  jobId: string,
): Promise<{ job: Record<string, unknown>; output: string }> {
  for (let i = 0; i < 600; i++) {
    const job = (await api.call('GET', `batchPredictions/${jobId}/`)).body;
    if (job.status === 'ABORTED') return { job, output: '' };
    if (job.status === 'COMPLETED') {
      const res = await fetch((job.links as { download: string }).download, {
        headers: { Authorization: `Token ${api.key}` },
      });
      return { job, output: await res.text() };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the job did not finish');
}

function asUser(api: TestApi, key: string): TestApi {
  return {
    ...api,
    key,
    call: (method, path, body, options) => api.call(method, path, body, { key, ...options }),
  };
}

describe('the dataset catalog', () => {
  const api = useLocalStack({ chunkBytes: 12 * 1024 });
  const rows = sameRows(3);

  it('uploads CSV and Parquet versions through the status pattern, describing each', async () => {
    const first = await settled(api(), await postFile(api(), 'datasets/fromFile/', 'churn.csv', rows.csv));
    expect(first).toMatchObject({
      name: 'churn.csv',
      categories: [],
      isLatestVersion: true,
      isSnapshot: true,
      processingState: 'COMPLETED',
      datasetSize: rows.csv.length,
      rowCount: ROWS,
      columnCount: 3,
      format: 'csv',
    });
    expect(first.datasetId).toMatch(/^[0-9a-f]{24}$/);
    const id = first.datasetId as string;
    const path = `datasets/${id}/versions/fromFile/`;
    const second = await settled(api(), await postFile(api(), path, 'churn.parquet', rows.parquet));
    expect(second).toMatchObject({ datasetId: id, format: 'parquet', rowCount: ROWS, columnCount: 3 });
    expect(second.versionId).not.toBe(first.versionId);

    const latest = await api().call('GET', `datasets/${id}/`);
    expect(latest.body).toMatchObject({ versionId: second.versionId, isLatestVersion: true });
    const versions = await api().call('GET', `datasets/${id}/versions/`);
    expect(versions.body).toMatchObject({ count: 2, totalCount: 2, next: null, previous: null });
    const listed = (versions.body.data as Record<string, unknown>[]).map((v) => [
      v.versionId,
      v.isLatestVersion,
    ]);
    expect(listed).toEqual([
      [second.versionId, true],
      [first.versionId, false],
    ]);
    const renamed = await api().call('PATCH', `datasets/${id}/`, {
      name: 'churn',
      categories: ['PREDICTION'],
    });
    expect(renamed.body).toMatchObject({ name: 'churn', categories: ['PREDICTION'] });
    const inCategory = await api().call('GET', 'datasets/?category=PREDICTION');
    expect((inCategory.body.data as { datasetId: string }[]).map((d) => d.datasetId)).toEqual([id]);
  });

  it('scores a version the same every time, Parquet as its CSV twin, and the latest when none is named', async () => {
    const deploymentId = await deploy(api());
    const csv = await settled(api(), await postFile(api(), 'datasets/fromFile/', 'a.csv', rows.csv));
    const datasetId = csv.datasetId as string;
    const parquet = await settled(
      api(),
      await postFile(api(), `datasets/${datasetId}/versions/fromFile/`, 'a.parquet', rows.parquet),
    );
    const fromCsv = { type: 'dataset', datasetId, datasetVersionId: csv.versionId };
    const once = await score(api(), deploymentId, fromCsv);
    expect(once.job).toMatchObject({ status: 'COMPLETED', scoredRows: ROWS });
    expect((once.job.jobSpec as Record<string, unknown>).intakeSettings).toEqual(fromCsv);
    const again = await score(api(), deploymentId, fromCsv);
    expect(again.output).toBe(once.output);
    expect(once.output.split('\n')[0]).toBe(
      'churn_1_PREDICTION,churn_0_PREDICTION,churn_PREDICTION,THRESHOLD,POSITIVE_CLASS',
    );
    expect(once.output.trimEnd().split('\n')).toHaveLength(ROWS + 1);

    // The Parquet version is the latest: a job naming no version scores it, to the same predictions.
    const latest = await score(api(), deploymentId, { type: 'dataset', datasetId });
    expect(latest.job).toMatchObject({ status: 'COMPLETED', scoredRows: ROWS });
    expect(latest.job.logs).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`Scoring dataset ${datasetId} version ${parquet.versionId}`),
      ]),
    );
    expect(latest.output).toBe(once.output);
  });

  it("answers 404 for another owner's dataset, in the catalog and in a job", async () => {
    const mine = await settled(api(), await postFile(api(), 'datasets/fromFile/', 'mine.csv', rows.csv));
    const other = await api().call('POST', 'apiKeys/', { name: 'bob key', user: 'bob' });
    const bob = asUser(api(), other.body.key as string);
    expect((await bob.call('GET', `datasets/${mine.datasetId}/`)).status).toBe(404);
    expect((await bob.call('GET', `datasets/${mine.datasetId}/versions/`)).status).toBe(404);
    expect((await bob.call('DELETE', `datasets/${mine.datasetId}/`)).status).toBe(404);
    expect((await bob.call('GET', 'datasets/')).body.totalCount).toBe(0);
    const version = await postFile(
      api(),
      `datasets/${mine.datasetId}/versions/fromFile/`,
      'x.csv',
      rows.csv,
      bob.key,
    );
    expect(version.status).toBe(404);

    const bobsDeployment = await deploy(bob);
    const job = await bob.call('POST', 'batchPredictions/', {
      deploymentId: bobsDeployment,
      intakeSettings: { type: 'dataset', datasetId: mine.datasetId },
    });
    expect(job.status).toBe(404);
    expect(job.body.message).toBe(`dataset ${mine.datasetId} not found`);
  });

  it('refuses bad files with a clear 422 and keeps nothing of them', async () => {
    const fakeParquet = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]);
    const bad = await postFile(api(), 'datasets/fromFile/', 'broken.parquet', fakeParquet);
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^file: the Parquet file's footer cannot be read/);
    const unclosed = await postFile(api(), 'datasets/fromFile/', 'open.csv', Buffer.from('a,b\n1,"open\n'));
    expect(unclosed.status).toBe(422);
    expect(unclosed.body.errors).toHaveProperty('file');
    const empty = await postFile(api(), 'datasets/fromFile/', 'empty.csv', Buffer.alloc(0));
    expect(empty.body).toMatchObject({ message: 'file: the file is empty' });
    const noFile = await api().call('POST', 'datasets/fromFile/', {});
    expect(noFile.status).toBe(415);
    const stored = await api().stack.deps.objects.list('datasets/');
    const datasets = (await api().call('GET', 'datasets/?limit=1000')).body.data as { datasetId: string }[];
    const known = new Set(datasets.map((d) => d.datasetId));
    expect(stored.every((o) => known.has(o.key.split('/')[1] as string))).toBe(true);
  });

  it('creates datasets and versions from s3:// URLs with a stored credential, and says what is wrong', async () => {
    const s3 = new S3Client(localS3ClientConfig(api().stack.s3Endpoint));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'user-datasets' }));
      await s3.send(new PutObjectCommand({ Bucket: 'user-datasets', Key: 'in/churn.csv', Body: rows.csv }));
      await s3.send(
        new PutObjectCommand({ Bucket: 'user-datasets', Key: 'in/churn.parquet', Body: rows.parquet }),
      );
    } finally {
      s3.destroy();
    }
    const credential = await api().call('POST', 'credentials/', {
      name: 'datasets bucket',
      credentialType: 's3',
      awsAccessKeyId: 'S3RVER',
      awsSecretAccessKey: 'S3RVER',
    });
    expect(credential.status, credential.text).toBe(201);
    const credentialId = credential.body.credentialId as string;
    const url = 's3://user-datasets/in/churn.csv';
    const first = await settled(
      api(),
      await api().call('POST', 'datasets/fromURL/', { url, credentialId, categories: ['TRAINING'] }),
    );
    expect(first).toMatchObject({
      name: 'churn.csv',
      uri: url,
      categories: ['TRAINING'],
      rowCount: ROWS,
      format: 'csv',
    });
    const parquetUrl = 's3://user-datasets/in/churn.parquet';
    const second = await settled(
      api(),
      await api().call('POST', `datasets/${first.datasetId}/versions/fromURL/`, {
        url: parquetUrl,
        credentialId,
      }),
    );
    expect(second).toMatchObject({
      datasetId: first.datasetId,
      uri: parquetUrl,
      rowCount: ROWS,
      format: 'parquet',
    });

    const missing = await api().call('POST', 'datasets/fromURL/', {
      url: 's3://user-datasets/in/nope.csv',
      credentialId,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain('s3://user-datasets/in/nope.csv');
    const prefix = await api().call('POST', 'datasets/fromURL/', {
      url: 's3://user-datasets/in/',
      credentialId,
    });
    expect(prefix.body).toMatchObject({ errors: { url: 'expected the URL of one object, not a prefix' } });
    const notS3 = await api().call('POST', 'datasets/fromURL/', { url: 'https://example.com/x.csv' });
    expect(notS3.body.errors).toHaveProperty('url');
    const other = await api().call('POST', 'apiKeys/', { name: 'eve key', user: 'eve' });
    const eve = asUser(api(), other.body.key as string);
    expect((await eve.call('POST', 'datasets/fromURL/', { url, credentialId })).status).toBe(404);
  });

  it('checks the key on every route and answers malformed requests with 4xx JSON', async () => {
    const id = '0123456789abcdef01234567';
    const routes: [string, string][] = [
      ['POST', 'datasets/fromFile/'],
      ['POST', 'datasets/fromURL/'],
      ['GET', 'datasets/'],
      ['GET', `datasets/${id}/`],
      ['PATCH', `datasets/${id}/`],
      ['DELETE', `datasets/${id}/`],
      ['GET', `datasets/${id}/versions/`],
      ['POST', `datasets/${id}/versions/fromFile/`],
      ['POST', `datasets/${id}/versions/fromURL/`],
      ['GET', `datasets/${id}/versions/${id}/`],
      ['GET', `datasets/${id}/versions/${id}/status/`],
    ];
    for (const [method, path] of routes) {
      expect((await api().call(method, path, undefined, { key: null })).status, `${method} ${path}`).toBe(
        401,
      );
    }
    for (const raw of ['{', '[]', '{"url": 5}', '{"url": "s3://b/k", "extra": 1}', '{"name": ""}']) {
      for (const [method, path] of routes.filter(([m]) => m === 'POST' || m === 'PATCH')) {
        const res = await api().call(method, path, undefined, { raw });
        expect(res.status, `${method} ${path} ${raw}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${path} ${raw}`).toBeLessThan(500);
        expect(res.headers.get('content-type')).toBe('application/json');
      }
    }
    const noBoundary = await fetch(`${api().endpoint}/datasets/fromFile/`, {
      method: 'POST',
      headers: { Authorization: `Token ${api().key}`, 'Content-Type': 'multipart/form-data' },
      body: 'x',
    });
    expect(noBoundary.status).toBe(400);
  });

  it('deletes a dataset with its bytes; a job naming it is then refused', async () => {
    const deploymentId = await deploy(api());
    const gone = await settled(api(), await postFile(api(), 'datasets/fromFile/', 'gone.csv', rows.csv));
    expect((await api().call('DELETE', `datasets/${gone.datasetId}/`)).status).toBe(204);
    expect((await api().call('GET', `datasets/${gone.datasetId}/`)).status).toBe(404);
    expect(await api().stack.deps.objects.list(`datasets/${gone.datasetId}/`)).toEqual([]);
    const job = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: { type: 'dataset', datasetId: gone.datasetId },
    });
    expect(job.status).toBe(404);
  });
});

describe('Parquet uploads (localFile intake with format parquet)', () => {
  const api = useLocalStack({ chunkBytes: 12 * 1024 });
  const rows = sameRows(5);

  async function uploadJob(deploymentId: string, body: Buffer, format?: 'parquet') {
    const intakeSettings = format ? { type: 'localFile', format } : { type: 'localFile' };
    const created = await api().call('POST', 'batchPredictions/', { deploymentId, intakeSettings });
    expect(created.status, created.text).toBe(202);
    const put = await fetch((created.body.links as { csvUpload: string }).csvUpload, { method: 'PUT', body });
    expect(put.status).toBe(202);
    return created.body.id as string;
  }

  it('scores an uploaded Parquet file exactly as its CSV twin, and says why a CSV is refused', async () => {
    const deploymentId = await deploy(api());
    const fromCsv = await finished(api(), await uploadJob(deploymentId, rows.csv));
    const fromParquet = await finished(api(), await uploadJob(deploymentId, rows.parquet, 'parquet'));
    expect(fromParquet.job).toMatchObject({ status: 'COMPLETED', scoredRows: ROWS });
    expect(fromParquet.output).toBe(fromCsv.output);
    const echoed = (fromCsv.job.jobSpec as { intakeSettings: unknown }).intakeSettings;
    expect(echoed).toEqual({ type: 'localFile' });

    const wrong = await finished(api(), await uploadJob(deploymentId, rows.csv, 'parquet'));
    expect(wrong.job.status).toBe('ABORTED');
    expect(wrong.job.statusDetails).toMatch(
      /input part 0 is not a Parquet file, but intakeSettings.format is "parquet"/,
    );
  });
});
