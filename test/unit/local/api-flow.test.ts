import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '../../../shared/domain/job-spec.js';
import { loadModel } from '../../../shared/engine/model/load-model.js';
import { scoringOptionsOf } from '../../../shared/engine/scoring/job-scoring-options.js';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';
import { createRng, treeEnsembleClassifier } from '../../support/onnx-factory.js';
import { scoreWith } from '../../support/scoring.js';

const model = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 4, trees: 10, depth: 4 },
  zipMap: true,
  classLabels: [0, 1],
  input: { kind: 'columns', names: ['a', 'b'] },
});

function dataset(rows: number, seed: number): Buffer {
  const rng = createRng(seed);
  const lines = ['id,note,a,b'];
  for (let i = 0; i < rows; i++) {
    const note = rng.int(7) === 0 ? '"quoted, with comma"' : `n${rng.int(1000)}`;
    lines.push(`${i},${note},${rng.normal().toFixed(5)},${rng.normal().toFixed(5)}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** What the engine writes for the same input and spec in one pass: the oracle for every download. */
async function expectedOutput(input: Buffer, spec: Record<string, unknown>): Promise<Buffer> {
  const loaded = await loadModel(model, { targetName: 'churn' });
  const { output } = await scoreWith(loaded, input, { scoring: scoringOptionsOf(parseJobSpec(spec)) });
  await loaded.dispose();
  return output;
}

async function registerModel(api: TestApi): Promise<string> {
  const started = await api.call('POST', 'modelPackages/fromOnnx/', {
    name: 'churn trees',
    manifest: { targetName: 'churn' },
  });
  expect(started.status).toBe(201);
  const upload = await fetch((started.body.links as { upload: string }).upload, {
    method: 'PUT',
    body: model,
  });
  expect(upload.status).toBe(200);
  const finalized = await api.call('POST', `modelPackages/${started.body.id}/finalize/`);
  expect(finalized.status).toBe(200);
  expect(finalized.body).toMatchObject({
    status: 'READY',
    target: { name: 'churn', type: 'Binary', classLabels: ['0', '1'] },
  });
  const deployment = await api.call('POST', 'deployments/fromModelPackage/', {
    modelPackageId: started.body.id,
    label: 'churn',
  });
  expect(deployment.status).toBe(201);
  return deployment.body.id as string;
}

async function waitFor(
  api: TestApi,
  jobId: string,
  done: (body: Record<string, unknown>) => boolean,
  timeoutMs = 50_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await api.call('GET', `batchPredictions/${jobId}/`);
    expect(status.status).toBe(200);
    if (done(status.body)) return status.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not reach the expected state`);
}

async function download(api: TestApi, url: string): Promise<Buffer> {
  const res = await fetch(url, { headers: { Authorization: `Token ${api.key}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('the DataRobot flow through the local stack', () => {
  const api = useLocalStack({ chunkBytes: 64 * 1024 });

  it('answers version/ as DataRobot clients require, with and without the trailing slash', async () => {
    for (const path of ['version/', 'version']) {
      const res = await api().call('GET', path);
      expect(res.status).toBe(200);
      expect(res.body.versionString).toMatch(/^2\./);
    }
    const anonymous = await api().call('GET', 'version/', undefined, { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/json');
  });

  it('registers a model, creates a job, uploads, polls and downloads output equal to one-pass scoring', async () => {
    const deploymentId = await registerModel(api());
    const spec = {
      deploymentId,
      passthroughColumns: ['id', 'note'],
      includePredictionStatus: true,
      intakeSettings: { type: 'localFile' },
      outputSettings: { type: 'localFile' },
    };
    const created = await api().call('POST', 'batchPredictions/', spec);
    expect(created.status).toBe(202);
    const jobId = created.body.id as string;
    expect(created.headers.get('location')).toBe(`${api().endpoint}/batchPredictions/${jobId}/`);
    expect(created.body).toMatchObject({
      status: 'INITIALIZING',
      jobSpec: { deploymentId, numConcurrent: 4 },
    });
    const links = created.body.links as Record<string, string>;
    expect(links.download).toBeUndefined();
    const input = dataset(20_000, 1);
    const put = await fetch(links.csvUpload as string, {
      method: 'PUT',
      headers: { Authorization: `Token ${api().key}`, 'Content-Type': 'text/csv' },
      body: input,
    });
    expect(put.status).toBe(202);
    const running = await waitFor(
      api(),
      jobId,
      (b) => (b.links as Record<string, string>).download !== undefined,
    );
    const output = await download(api(), (running.links as Record<string, string>).download as string);
    expect(output.equals(await expectedOutput(input, spec))).toBe(true);
    const done = await waitFor(api(), jobId, (b) => b.status === 'COMPLETED');
    expect(done).toMatchObject({
      scoredRows: 20_000,
      failedRows: 0,
      percentageCompleted: 100,
      jobIntakeSize: input.length,
      jobOutputSize: output.length,
    });
    expect(String(done.statusDetails).length).toBeGreaterThan(0);
    const again = await fetch(links.csvUpload as string, { method: 'PUT', body: 'id,note,a,b\n1,x,1,1\n' });
    expect(again.status).toBe(409);
  });

  it('streams a download that starts while the job runs and ends after the last row', async () => {
    const deploymentId = await registerModel(api());
    const spec = { deploymentId, passthroughColumns: ['id'] };
    const created = await api().call('POST', 'batchPredictions/', spec);
    const jobId = created.body.id as string;
    const input = dataset(120_000, 2);
    const uploading = fetch((created.body.links as Record<string, string>).csvUpload as string, {
      method: 'PUT',
      body: input,
    });
    const running = await waitFor(
      api(),
      jobId,
      (b) => (b.links as Record<string, string>).download !== undefined,
    );
    expect(running.status).toBe('RUNNING');
    const output = await download(api(), (running.links as Record<string, string>).download as string);
    expect((await uploading).status).toBe(202);
    const expected = await expectedOutput(input, spec);
    expect(output.length).toBe(expected.length);
    expect(output.equals(expected)).toBe(true);
  });

  it('accepts a multipart upload of more than 50 MB (parts with their own header rows)', async () => {
    // Made first: generating it blocks the event loop for seconds, longer than the server keeps an idle
    // connection alive, and the client's next request would then meet a socket the server is closing.
    const input = dataset(1_700_000, 3);
    const deploymentId = await registerModel(api());
    const spec = { deploymentId, intakeSettings: { type: 'localFile', multipart: true } };
    const created = await api().call('POST', 'batchPredictions/', spec);
    const jobId = created.body.id as string;
    const csvUpload = (created.body.links as Record<string, string>).csvUpload as string;
    expect(input.length).toBeGreaterThan(50 * 1024 * 1024);
    const header = input.subarray(0, input.indexOf(10) + 1);
    const body = input.subarray(header.length);
    const partBytes = 8 * 1024 * 1024;
    let start = 0;
    for (let n = 0; start < body.length; n++) {
      let end = Math.min(body.length, start + partBytes);
      if (end < body.length) end = body.indexOf(10, end) + 1;
      const part = await fetch(`${csvUpload}part/${n}`, {
        method: 'PUT',
        body: Buffer.concat([header, body.subarray(start, end)]),
      });
      expect(part.status).toBe(202);
      start = end;
    }
    const finalize = await fetch(`${csvUpload}finalizeMultipart`, { method: 'POST' });
    expect(finalize.status).toBe(202);
    const done = await waitFor(
      api(),
      jobId,
      (b) => b.status === 'COMPLETED' || b.status === 'ABORTED',
      150_000,
    );
    expect(done.status).toBe('COMPLETED');
    expect(done.scoredRows).toBe(1_700_000);
    const output = await download(api(), (done.links as Record<string, string>).download as string);
    expect(output.equals(await expectedOutput(input, spec))).toBe(true);
  }, 180_000);

  it('ends a job whose upload is malformed ABORTED with a readable statusDetails', async () => {
    const deploymentId = await registerModel(api());
    const created = await api().call('POST', 'batchPredictions/', { deploymentId });
    const jobId = created.body.id as string;
    await fetch((created.body.links as Record<string, string>).csvUpload as string, {
      method: 'PUT',
      body: 'id,note,a,b\n1,"never closed,1,2\n',
    });
    const done = await waitFor(api(), jobId, (b) => b.status === 'ABORTED');
    expect(String(done.statusDetails)).toMatch(/malformed CSV/);
  });

  it('aborts, copies a job from an existing one, and lists jobs by status with DataRobot paging', async () => {
    const deploymentId = await registerModel(api());
    const first = await api().call('POST', 'batchPredictions/', { deploymentId, numConcurrent: 2 });
    const copy = await api().call('POST', 'batchPredictions/fromExisting/', {
      predictionJobId: first.body.id,
    });
    expect(copy.status).toBe(202);
    expect(copy.body.jobSpec).toEqual(first.body.jobSpec);
    expect(copy.headers.get('location')).toMatch(/\/batchPredictions\/[0-9a-f]{24}\/$/);
    expect((await api().call('DELETE', `batchPredictions/${first.body.id}/`)).status).toBe(202);
    expect((await api().call('DELETE', `batchPredictions/${first.body.id}/`)).status).toBe(202);
    const aborted = await api().call('GET', `batchPredictions/${first.body.id}/`);
    expect(aborted.body.status).toBe('ABORTED');
    const page = await api().call('GET', 'batchPredictions/?status=ABORTED&status=INITIALIZING&limit=1');
    expect(page.status).toBe(200);
    expect(page.body.count).toBe(1);
    expect(String(page.body.next)).toMatch(/^http:\/\/.*offset=1/);
    const all = await api().call('GET', 'batchPredictions/?status=ABORTED&limit=100');
    expect((all.body.data as Array<{ status: string }>).every((j) => j.status === 'ABORTED')).toBe(true);
  });

  it('keeps every resource private to its owner', async () => {
    const deploymentId = await registerModel(api());
    const job = await api().call('POST', 'batchPredictions/', { deploymentId });
    const other = await api().call('POST', 'apiKeys/', { name: 'bob key', user: 'bob' });
    expect(other.status).toBe(201);
    const bob = other.body.key as string;
    for (const path of [`batchPredictions/${job.body.id}/`, `deployments/${deploymentId}/`]) {
      expect((await api().call('GET', path, undefined, { key: bob })).status).toBe(404);
    }
    expect(
      (await api().call('DELETE', `batchPredictions/${job.body.id}/`, undefined, { key: bob })).status,
    ).toBe(404);
    const bobJob = await api().call('POST', 'batchPredictions/', { deploymentId }, { key: bob });
    expect(bobJob.status).toBe(404);
    const list = await api().call('GET', 'deployments/', undefined, { key: bob });
    expect(list.body.totalCount).toBe(0);
    const revoked = await api().call('DELETE', `apiKeys/${other.body.id}/`, undefined, { key: bob });
    expect(revoked.status).toBe(204);
    expect((await api().call('GET', 'version/', undefined, { key: bob })).status).toBe(401);
  });

  it('pins the model at job creation: replacing the deployment model does not change a queued job', async () => {
    const deploymentId = await registerModel(api());
    const before = await api().call('GET', `deployments/${deploymentId}/`);
    const job = await api().call('POST', 'batchPredictions/', { deploymentId });
    const second = await api().call('POST', 'modelPackages/fromOnnx/', {
      name: 'v2',
      manifest: { targetName: 'churn' },
    });
    await fetch((second.body.links as { upload: string }).upload, { method: 'PUT', body: model });
    await api().call('POST', `modelPackages/${second.body.id}/finalize/`);
    const replaced = await api().call('PATCH', `deployments/${deploymentId}/model/`, {
      modelId: second.body.id,
      reason: 'ACCURACY',
    });
    expect(replaced.status).toBe(202);
    const status = await api().call('GET', replaced.headers.get('location') as string);
    expect(status.status).toBe(303);
    expect(status.headers.get('location')).toBe(`${api().endpoint}/deployments/${deploymentId}/`);
    const after = await api().call('GET', `deployments/${deploymentId}/`);
    expect((after.body.model as { id: string }).id).toBe(second.body.id);
    expect((before.body.model as { id: string }).id).not.toBe(second.body.id);
    const pinned = await api().call('GET', `batchPredictions/${job.body.id}/`);
    expect(pinned.body.modelPackageId).toBe((before.body.model as { id: string }).id);
    expect(
      (await api().call('GET', `deployments/${deploymentId}/settings/`)).body.predictionIntervals,
    ).toEqual({
      enabled: false,
      percentiles: [],
    });
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const doc = await api().call('GET', 'openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const schemas = (
      doc.body.components as { schemas: Record<string, { properties?: Record<string, unknown> }> }
    ).schemas;
    expect(Object.keys(schemas.JobSpec?.properties ?? {})).toContain('passthroughColumnsSet');
    expect(Object.keys(doc.body.paths as object)).toContain('/batchPredictions/{id}/download/');
  });
});
