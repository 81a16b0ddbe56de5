/**
 * Explanation data and prediction-warning bounds through the local HTTP API: a background sampled from an
 * uploaded training CSV, a manifest background too large for a DynamoDB item, per-deployment warning bounds.
 */
import { describe, expect, it } from 'vitest';
import { sampleTrainingData } from '../../../shared/engine/explain/training-sample.js';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';
import {
  createRng,
  evaluateTrees,
  randomTrees,
  type TreeNode,
  treeEnsembleRegressor,
} from '../../support/onnx-factory.js';
import { cells } from '../../support/scoring.js';

const COLUMNS = ['a', 'b', 'c'];
const TREES: TreeNode[] = randomTrees({ seed: 4, trees: 8, depth: 3, features: 3 });
const MODEL = treeEnsembleRegressor({
  features: 3,
  trees: TREES,
  input: { kind: 'columns', names: COLUMNS },
});

function csvOf(header: readonly string[], rows: number, seed: number): string {
  const rng = createRng(seed);
  const lines = [header.join(',')];
  for (let i = 0; i < rows; i++) lines.push(header.map(() => rng.normal().toFixed(4)).join(','));
  return `${lines.join('\n')}\n`;
}

async function put(url: string, body: string | Uint8Array): Promise<void> {
  expect((await fetch(url, { method: 'PUT', body })).status).toBe(200);
}

/** Registers and uploads a model package; `training` is PUT to modelPackages/{id}/trainingData/ first. */
async function register(
  api: TestApi,
  bytes: Uint8Array,
  manifest: Record<string, unknown>,
  training?: string,
): Promise<{ id: string; finalized: Awaited<ReturnType<TestApi['call']>> }> {
  const started = await api.call('POST', 'modelPackages/fromOnnx/', { name: 'trees', manifest });
  expect(started.status).toBe(201);
  const id = started.body.id as string;
  await put((started.body.links as { upload: string }).upload, bytes);
  if (training !== undefined) {
    const upload = await api.call('POST', `modelPackages/${id}/trainingData/`);
    expect(upload.status).toBe(201);
    await put((upload.body.links as { upload: string }).upload, training);
  }
  return { id, finalized: await api.call('POST', `modelPackages/${id}/finalize/`) };
}

async function deploy(api: TestApi, modelPackageId: string): Promise<string> {
  const created = await api.call('POST', 'deployments/fromModelPackage/', { modelPackageId, label: 'x' });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function score(api: TestApi, spec: Record<string, unknown>, csv: string): Promise<string[][]> {
  const created = await api.call('POST', 'batchPredictions/', spec);
  expect(created.status).toBe(202);
  const links = created.body.links as Record<string, string>;
  const upload = await fetch(links.csvUpload as string, {
    method: 'PUT',
    headers: { Authorization: `Token ${api.key}`, 'Content-Type': 'text/csv' },
    body: csv,
  });
  expect(upload.status).toBe(202);
  for (let i = 0; i < 400; i++) {
    const status = await api.call('GET', `batchPredictions/${created.body.id}/`);
    if (status.body.status === 'COMPLETED') {
      const res = await fetch((status.body.links as Record<string, string>).download as string, {
        headers: { Authorization: `Token ${api.key}` },
      });
      return cells(await res.text());
    }
    expect(status.body.status, String(status.body.statusDetails)).not.toBe('ABORTED');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the job did not complete');
}

/** Output column values by header name. */
function column(table: string[][], name: string): number[] {
  const at = (table[0] as string[]).indexOf(name);
  expect(at, `column ${name}`).toBeGreaterThanOrEqual(0);
  return table.slice(1).map((row) => Number(row[at]));
}

const predict = (row: readonly number[]): number => evaluateTrees(TREES, row)[0] as number;

const api = useLocalStack();

describe('explanation background from a training CSV', () => {
  const training = csvOf(COLUMNS, 300, 11);

  it('samples it at finalize (seeded), reports its statistics, and explains against it', async () => {
    const { id, finalized } = await register(
      api(),
      MODEL,
      { targetName: 'y', explanations: { backgroundRows: 40 } },
      training,
    );
    expect(finalized.status).toBe(200);

    const summary = await api().call('GET', `modelPackages/${id}/trainingData/`);
    expect(summary.status).toBe(200);
    const values = training
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    const meanA = values.reduce((s, r) => s + (r[0] as number), 0) / values.length;
    expect(summary.body).toMatchObject({ source: 'trainingData', trainingRows: 300, backgroundRows: 40 });
    const statsA = (summary.body.columns as Array<Record<string, unknown>>)[0];
    expect(statsA).toMatchObject({ name: 'a', kind: 'numeric', count: 300, missing: 0 });
    expect(statsA?.mean as number).toBeCloseTo(meanA, 9);

    // Pinned with the model version: no new training data once READY.
    const again = await api().call('POST', `modelPackages/${id}/trainingData/`);
    expect(again.status).toBe(409);
    expect(again.text).toContain('pinned with the model version');

    const deploymentId = await deploy(api(), id);
    const input = csvOf(COLUMNS, 25, 12);
    const out = await score(api(), { deploymentId, maxExplanations: 2 }, input);
    const base = column(out, 'SHAP_BASE_VALUE');
    // The base value is the mean prediction over the deterministic sample of the training file.
    const sample = sampleTrainingData(Buffer.from(training), 40).background;
    const expected = sample.reduce((s, r) => s + predict(COLUMNS.map((c) => Number(r[c]))), 0) / 40;
    base.forEach((b) => expect(b).toBeCloseTo(expected, 5));
    const predictions = column(out, 'y_PREDICTION');
    const s1 = column(out, 'EXPLANATION_1_STRENGTH');
    const s2 = column(out, 'EXPLANATION_2_STRENGTH');
    const rest = column(out, 'SHAP_REMAINING_TOTAL');
    predictions.forEach((p, i) => {
      const sum = (base[i] as number) + (s1[i] as number) + (s2[i] as number) + (rest[i] as number);
      expect(Math.abs(sum - p)).toBeLessThan(1e-5 * Math.max(1, Math.abs(p)));
    });
  });

  it('fails finalize with a readable reason for a malformed training CSV, and needs a background to explain', async () => {
    const { id, finalized } = await register(api(), MODEL, { targetName: 'y' }, 'a,b,c\n1,2,3\n4,5\n');
    expect(finalized.status).toBe(422);
    expect(finalized.text).toContain('training data row 2 has 2 fields but the header has 3');
    const record = await api().call('GET', `modelPackages/${id}/`);
    expect(record.body).toMatchObject({ status: 'FAILED' });

    const plain = await register(api(), MODEL, { targetName: 'y' });
    expect(plain.finalized.status).toBe(200);
    expect((await api().call('GET', `modelPackages/${plain.id}/trainingData/`)).status).toBe(404);
    const deploymentId = await deploy(api(), plain.id);
    const job = await api().call('POST', 'batchPredictions/', { deploymentId, maxExplanations: 1 });
    expect(job.status).toBeGreaterThanOrEqual(400);
    expect(job.status).toBeLessThan(500);
  });

  it('keeps a manifest background too large for a DynamoDB item in object storage', async () => {
    const names = Array.from({ length: 3 }, (_, i) => COLUMNS[i] as string);
    const rng = createRng(5);
    // 1,000 rows with long cells and 20 unused columns: ≈ 0.6 MB of JSON, over DynamoDB's 400 KB item limit.
    const background = Array.from({ length: 1000 }, () => {
      const row: Record<string, string> = {};
      for (const n of names) row[n] = rng.normal().toFixed(15);
      for (let k = 0; k < 20; k++) row[`unused_${k}`] = 'x'.repeat(12);
      return row;
    });
    expect(JSON.stringify(background).length).toBeGreaterThan(400 * 1024);
    const { id, finalized } = await register(api(), MODEL, { targetName: 'y', explanations: { background } });
    expect(finalized.status).toBe(200);
    const record = await api().call('GET', `modelPackages/${id}/`);
    expect(record.text.length).toBeLessThan(10_000);
    expect(record.body.manifest).toMatchObject({ targetName: 'y', explanations: { backgroundRows: 500 } });
    const summary = await api().call('GET', `modelPackages/${id}/trainingData/`);
    expect(summary.body).toMatchObject({ source: 'manifest', backgroundRows: 1000, trainingRows: null });

    const out = await score(
      api(),
      { deploymentId: await deploy(api(), id), maxExplanations: 1 },
      csvOf(COLUMNS, 5, 6),
    );
    const expected =
      background.reduce((s, r) => s + predict(names.map((c) => Number(r[c]))), 0) / background.length;
    column(out, 'SHAP_BASE_VALUE').forEach((b) => expect(b).toBeCloseTo(expected, 5));
  });
});

describe('per-deployment prediction-warning bounds', () => {
  it('replace the model package bounds, follow the deployment default, and are validated', async () => {
    const { id, finalized } = await register(api(), MODEL, {
      targetName: 'y',
      predictionWarning: { lower: -1e9, upper: 1e9 },
    });
    expect(finalized.status).toBe(200);
    const deploymentId = await deploy(api(), id);
    const input = csvOf(COLUMNS, 40, 21);
    const rows = input
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    const predictions = rows.map(predict);
    const flags = (out: string[][]) => {
      const at = (out[0] as string[]).indexOf('IS_OUTLIER_PREDICTION');
      expect(at).toBeGreaterThanOrEqual(0);
      return out.slice(1).map((r) => r[at]);
    };

    // Package bounds: nothing is an outlier.
    const wide = await score(api(), { deploymentId, predictionWarningEnabled: true }, input);
    expect(new Set(flags(wide))).toEqual(new Set(['False']));

    const sorted = [...predictions].sort((x, y) => x - y);
    const lower = sorted[5] as number;
    const upper = sorted[30] as number;
    const patch = await api().call('PATCH', `deployments/${deploymentId}/settings/`, {
      predictionWarning: { enabled: true, customBoundaries: { lower, upper } },
    });
    expect(patch.status).toBe(202);
    const settings = await api().call('GET', `deployments/${deploymentId}/settings/`);
    expect(settings.body.predictionWarning).toEqual({ enabled: true, customBoundaries: { lower, upper } });

    // The job leaves predictionWarningEnabled null: the deployment's `enabled` applies, with its bounds.
    const narrow = await score(api(), { deploymentId }, input);
    const expected = predictions.map((p) =>
      Math.fround(p) < lower || Math.fround(p) > upper ? 'True' : 'False',
    );
    expect(flags(narrow)).toEqual(expected);
    expect(expected.filter((f) => f === 'True').length).toBeGreaterThan(5);

    // An explicit false wins over the deployment; customBoundaries null restores the package bounds.
    const off = await score(api(), { deploymentId, predictionWarningEnabled: false }, input);
    expect((off[0] as string[]).includes('IS_OUTLIER_PREDICTION')).toBe(false);
    await api().call('PATCH', `deployments/${deploymentId}/settings/`, {
      predictionWarning: { customBoundaries: null },
    });
    expect(new Set(flags(await score(api(), { deploymentId }, input)))).toEqual(new Set(['False']));

    const bad = await api().call('PATCH', `deployments/${deploymentId}/settings/`, {
      predictionWarning: { customBoundaries: { lower: 2, upper: 1 } },
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('predictionWarning.customBoundaries.upper');
  });
});
