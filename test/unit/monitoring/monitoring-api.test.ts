import { describe, expect, it } from 'vitest';
import { deployClassifier } from '../../support/job-definition-fixtures.js';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';
import { createRng, linearRegressor } from '../../support/onnx-factory.js';
import { cells } from '../../support/scoring.js';

const REGRESSOR = linearRegressor({
  coefficients: [2, -1],
  intercept: 0.5,
  input: { kind: 'columns', names: ['a', 'b'] },
});

/** The training baseline shipped in the manifest: a and b standard normal, predictions around 0.5. */
const BASELINE = {
  features: {
    a: { kind: 'numeric', edges: [-1, 0, 1], counts: [16, 34, 34, 16], missing: 0 },
    b: { kind: 'numeric', edges: [-1, 0, 1], counts: [16, 34, 34, 16], missing: 0 },
  },
  prediction: { kind: 'numeric', edges: [-2, 0, 2], counts: [13, 30, 38, 19] },
};

async function deployRegressor(api: TestApi, manifest: Record<string, unknown>): Promise<string> {
  const started = await api.call('POST', 'modelPackages/fromOnnx/', { name: 'linear', manifest });
  expect(started.status).toBe(201);
  const upload = await fetch((started.body.links as { upload: string }).upload, {
    method: 'PUT',
    body: REGRESSOR,
  });
  expect(upload.status).toBe(200);
  expect((await api.call('POST', `modelPackages/${started.body.id}/finalize/`)).status).toBe(200);
  const deployment = await api.call('POST', 'deployments/fromModelPackage/', {
    modelPackageId: started.body.id,
    label: 'linear',
  });
  expect(deployment.status).toBe(201);
  return deployment.body.id as string;
}

/** Rows id,a,b with a shifted by `shift` (drift) and ids `<prefix><i>`. */
function dataset(rows: number, seed: number, shift: number, prefix: string): string {
  const rng = createRng(seed);
  const lines = ['id,a,b'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${prefix}${i},${(rng.normal() + shift).toFixed(4)},${rng.normal().toFixed(4)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs one job through the API and returns its output rows (header first). */
async function score(api: TestApi, spec: Record<string, unknown>, csv: string): Promise<string[][]> {
  const created = await api.call('POST', 'batchPredictions/', spec);
  expect(created.status).toBe(202);
  const links = created.body.links as Record<string, string>;
  const put = await fetch(links.csvUpload as string, {
    method: 'PUT',
    headers: { Authorization: `Token ${api.key}`, 'Content-Type': 'text/csv' },
    body: csv,
  });
  expect(put.status).toBe(202);
  for (let i = 0; i < 600; i++) {
    const status = await api.call('GET', `batchPredictions/${created.body.id}/`);
    if (status.body.status === 'COMPLETED') {
      const res = await fetch((status.body.links as Record<string, string>).download as string, {
        headers: { Authorization: `Token ${api.key}` },
      });
      return cells(await res.text());
    }
    expect(status.body.status).not.toBe('ABORTED');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the job did not complete');
}

/** Independent PSI over the same bins, with the same 1e-4 floor on empty bins. */
function referencePsi(expected: number[], values: number[], edges: number[]): number {
  const actual = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    const bin = edges.filter((e) => e <= v).length;
    actual[bin] = (actual[bin] as number) + 1;
  }
  const e = [...expected, 0];
  const a = [...actual, 0];
  const et = e.reduce((s, x) => s + x, 0);
  const at = a.reduce((s, x) => s + x, 0);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const pe = Math.max((e[i] as number) / et, 1e-4);
    const pa = Math.max((a[i] as number) / at, 1e-4);
    sum += (pa - pe) * Math.log(pa / pe);
  }
  return sum;
}

const column = (rows: string[][], name: string): string[] => {
  const index = (rows[0] as string[]).indexOf(name);
  return rows.slice(1).map((r) => r[index] as string);
};

describe('deployment monitoring through the local API', () => {
  const api = useLocalStack({ chunkBytes: 16 * 1024 });

  it('tracks service stats, drift and accuracy across jobs; skipDriftTracking leaves no trace', async () => {
    const deploymentId = await deployRegressor(api(), { targetName: 'y', monitoringBaseline: BASELINE });
    const settings = await api().call('PATCH', `deployments/${deploymentId}/settings/`, {
      associationId: { columnNames: ['id'], requiredInPredictionRequests: true },
    });
    expect(settings.status).toBe(202);
    expect(settings.headers.get('location')).toBe(`${api().endpoint}/status/${deploymentId}/`);
    const read = await api().call('GET', `deployments/${deploymentId}/settings/`);
    expect(read.body).toMatchObject({
      associationId: { columnNames: ['id'], requiredInPredictionRequests: true },
      predictionIntervals: { enabled: false, percentiles: [] },
      featureDrift: { enabled: true },
    });

    const spec = { deploymentId, passthroughColumns: ['id'] };
    const first = dataset(3000, 1, 0, 'x');
    const second = dataset(2000, 2, 1.5, 'y');
    const out1 = await score(api(), spec, first);
    // The required association id column passes through without being listed.
    const out2 = await score(api(), { deploymentId }, second);
    expect(out2[0]?.[0]).toBe('id');
    await score(api(), { ...spec, skipDriftTracking: true }, dataset(700, 3, 5, 'z'));

    const base = `deployments/${deploymentId}`;
    const stats = await api().call('GET', `${base}/serviceStats/`);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      modelId: null,
      metrics: { totalPredictions: 5000, totalRequests: 2, userErrorRate: 0 },
    });
    expect(Object.keys(stats.body.metrics as object).sort()).toEqual(
      ['executionTime', 'totalPredictions', 'totalRequests', 'userErrorRate'].sort(),
    );
    expect((stats.body.metrics as { executionTime: number }).executionTime).toBeGreaterThan(0);
    expect(stats.body.period).toMatchObject({ start: expect.any(String), end: expect.any(String) });

    const drift = await api().call('GET', `${base}/featureDrift/?metric=psi`);
    expect(drift.status).toBe(200);
    const items = drift.body.data as Array<Record<string, number | string | null>>;
    expect(items.map((i) => i.name).sort()).toEqual(['a', 'b']);
    const inputs = [...cells(first).slice(1), ...cells(second).slice(1)];
    for (const [name, col] of [
      ['a', 1],
      ['b', 2],
    ] as const) {
      const item = items.find((i) => i.name === name) as Record<string, number>;
      const values = inputs.map((r) => Number(r[col]));
      expect(item.driftScore).toBeCloseTo(
        referencePsi(BASELINE.features[name].counts, values, [-1, 0, 1]),
        9,
      );
      expect(item).toMatchObject({ sampleSize: 5000, baselineSampleSize: 100 });
    }
    const a = items.find((i) => i.name === 'a') as Record<string, number>;
    const b = items.find((i) => i.name === 'b') as Record<string, number>;
    expect(a.driftScore).toBeGreaterThan(b.driftScore as number);
    // |coefficient| 2 vs 1: the proxy ranks a first and scales it to 1.
    expect(a.featureImpact).toBe(1);
    expect(b.featureImpact).toBeGreaterThan(0);
    expect(b.featureImpact).toBeLessThan(1);
    expect(drift.body).toMatchObject({ metric: 'psi', next: null, totalCount: 2 });

    const target = await api().call('GET', `${base}/targetDrift/`);
    const predictions = [...column(out1, 'y_PREDICTION'), ...column(out2, 'y_PREDICTION')].map(Number);
    expect(target.body).toMatchObject({
      targetName: 'y',
      sampleSize: 5000,
      baselineSampleSize: 100,
      metric: 'psi',
    });
    expect(target.body.driftScore).toBeCloseTo(
      referencePsi(BASELINE.prediction.counts, predictions, [-2, 0, 2]),
      6,
    );

    // Actuals for some rows of both jobs, in two batches as submit_actuals(batch_size=...) sends them.
    const ids = [...column(out1, 'id'), ...column(out2, 'id')];
    const chosen = ids.filter((_, i) => i % 7 === 0);
    const actualOf = (i: number): number =>
      Math.round(predictions[ids.indexOf(chosen[i] as string)] as number) + (i % 3) - 1;
    const rows = chosen.map((id, i) => ({
      associationId: id,
      actualValue: i % 2 ? actualOf(i) : String(actualOf(i)),
    }));
    for (const batch of [rows.slice(0, 300), rows.slice(300)]) {
      const posted = await api().call('POST', `${base}/actuals/fromJSON/`, { data: batch });
      expect(posted.status).toBe(202);
      expect(posted.headers.get('location')).toBe(`${api().endpoint}/status/${deploymentId}/`);
    }
    const acc = await api().call('GET', `${base}/accuracy/`);
    expect(acc.status).toBe(200);
    const errors = chosen.map((id, i) => (predictions[ids.indexOf(id)] as number) - actualOf(i));
    const actuals = chosen.map((_, i) => actualOf(i));
    const mean = actuals.reduce((s, v) => s + v, 0) / actuals.length;
    const sse = errors.reduce((s, e) => s + e * e, 0);
    const metrics = acc.body.metrics as Record<string, { value: number }>;
    expect(Object.keys(metrics).sort()).toEqual(['MAE', 'R Squared', 'RMSE']);
    expect(metrics.RMSE?.value).toBeCloseTo(Math.sqrt(sse / errors.length), 3);
    expect(metrics.MAE?.value).toBeCloseTo(errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length, 3);
    expect(metrics['R Squared']?.value).toBeCloseTo(
      1 - sse / actuals.reduce((s, v) => s + (v - mean) ** 2, 0),
      3,
    );

    const hourly = await api().call(
      'GET',
      `${base}/serviceStatsOverTime/?metric=totalPredictions&bucketSize=PT1H`,
    );
    expect(hourly.status).toBe(200);
    expect(hourly.body).toMatchObject({
      metric: 'totalPredictions',
      modelId: null,
      summary: { value: 5000 },
    });
    const values = (hourly.body.buckets as Array<{ value: number }>).map((b) => b.value);
    expect(values).toHaveLength(24 * 7);
    expect(values.reduce((s, v) => s + v, 0)).toBe(5000);
    const rmseOverTime = await api().call('GET', `${base}/accuracyOverTime/?metric=RMSE&bucketSize=P1D`);
    expect(rmseOverTime.body).toMatchObject({ metric: 'RMSE', summary: { sampleSize: chosen.length } });
    expect((rmseOverTime.body.summary as { value: number }).value).toBeCloseTo(
      metrics.RMSE?.value as number,
      9,
    );
    expect((rmseOverTime.body.buckets as unknown[]).length).toBe(7);
    const wrongMetric = await api().call('GET', `${base}/accuracyOverTime/?metric=AUC`);
    expect(wrongMetric.status).toBe(422);
    expect((await api().call('GET', `${base}/serviceStatsOverTime/?bucketSize=P1M`)).status).toBe(422);

    // Bad actuals change nothing and say why.
    const post = (data: unknown) => api().call('POST', `${base}/actuals/fromJSON/`, { data });
    const unknown = await post([{ associationId: 'z1', actualValue: 1 }]); // scored with skipDriftTracking
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('data.0.associationId');
    const repeated = await post([
      { associationId: ids[1], actualValue: 1 },
      { associationId: ids[1], actualValue: 2 },
    ]);
    expect(repeated.status).toBe(422);
    expect(repeated.text).toContain('data.1.associationId');
    const again = await post([{ associationId: chosen[0], actualValue: 1 }]);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain(`"${chosen[0]}"`);
    const wrongType = await post([{ associationId: ids[2], actualValue: 'tall' }]);
    expect(wrongType.status).toBe(422);
    expect(wrongType.text).toContain('data.0.actualValue');
    const badShape = await post([{ associationId: ids[2], actualValue: true }]);
    expect(badShape.status).toBe(422);
    expect((await api().call('POST', `${base}/actuals/fromJSON/`, { data: [] })).status).toBe(422);
    const after = await api().call('GET', `${base}/accuracy/`);
    expect(after.body.metrics).toEqual(acc.body.metrics);

    // A required association id column missing from the input ends the job ABORTED with a readable reason.
    const created = await api().call('POST', 'batchPredictions/', { deploymentId });
    await fetch((created.body.links as Record<string, string>).csvUpload as string, {
      method: 'PUT',
      headers: { Authorization: `Token ${api().key}`, 'Content-Type': 'text/csv' },
      body: 'a,b\n1,2\n',
    });
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 400 && status.status !== 'ABORTED'; i++) {
      status = (await api().call('GET', `batchPredictions/${created.body.id}/`)).body;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status.status).toBe('ABORTED');
    // The deployment passes its required association id column through, so the job names it as missing.
    expect(String(status.statusDetails)).toContain('not found in the input: "id"');
  }, 120_000);

  it('answers bad monitoring queries and settings with clear 4xx', async () => {
    const deploymentId = await deployRegressor(api(), { targetName: 'y' });
    const base = `deployments/${deploymentId}`;
    const kl = await api().call('GET', `${base}/featureDrift/?metric=kl_divergence`);
    expect(kl.status).toBe(422);
    expect(kl.text).toContain('metric');
    const backwards = await api().call(
      'GET',
      `${base}/serviceStats/?start=2024-02-01T00:00:00%2B00:00&end=2024-01-01T00:00:00%2B00:00`,
    );
    expect(backwards.status).toBe(422);
    expect((await api().call('GET', `${base}/serviceStats/?start=yesterday`)).status).toBe(422);
    const settings = await api().call('PATCH', `${base}/settings/`, {
      associationId: { columnNames: ['a', 'b'] },
    });
    expect(settings.status).toBe(422);
    expect(settings.text).toContain('associationId.columnNames');
    const warnings = { enabled: true, customBoundaries: { lower: -5, upper: 5 } };
    expect((await api().call('PATCH', `${base}/settings/`, { predictionWarning: warnings })).status).toBe(
      202,
    );
    expect((await api().call('GET', `${base}/settings/`)).body.predictionWarning).toEqual(warnings);
    const inverted = await api().call('PATCH', `${base}/settings/`, {
      predictionWarning: { customBoundaries: { lower: 5, upper: -5 } },
    });
    expect(inverted.status).toBe(422);
    expect(inverted.text).toContain('predictionWarning.customBoundaries.upper');
    expect((await api().call('GET', 'deployments/0123456789abcdef01234567/accuracy/')).status).toBe(404);
    const foreignModel = await api().call('GET', `${base}/featureDrift/?modelId=0123456789abcdef01234567`);
    expect(foreignModel.status).toBe(404);
    const malformed = ['{', 'null', '[]', '"x"', '12'];
    for (const [method, path, wrong] of [
      ['PATCH', `${base}/settings/`, ['{"associationId":5}', '{"featureDrift":{"enabled":"yes"}}']],
      ['POST', `${base}/actuals/fromJSON/`, ['{"data":null}', '{"data":[{}]}', '{"rows":[]}']],
    ] as const) {
      for (const raw of [...malformed, ...wrong]) {
        const res = await api().call(method, path, undefined, { raw });
        expect(res.status, `${method} ${path} ${raw}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${path} ${raw}`).toBeLessThan(500);
        expect(typeof res.body.message).toBe('string');
      }
    }
    // Without a baseline or any job: empty, well-formed answers.
    const drift = await api().call('GET', `${base}/featureDrift/`);
    expect(drift.body.data).toEqual([
      { name: 'a', driftScore: null, featureImpact: null, sampleSize: 0, baselineSampleSize: null },
      { name: 'b', driftScore: null, featureImpact: null, sampleSize: 0, baselineSampleSize: null },
    ]);
    const accuracy = await api().call('GET', `${base}/accuracy/`);
    expect(accuracy.body).toMatchObject({ metrics: {}, modelId: expect.any(String) });
    const stats = await api().call('GET', `${base}/serviceStats/`);
    expect(stats.body.metrics).toEqual({
      totalPredictions: 0,
      totalRequests: 0,
      executionTime: null,
      userErrorRate: null,
    });
  }, 60_000);

  it('joins classification actuals by class label and reports LogLoss, AUC and Accuracy', async () => {
    const deploymentId = await deployClassifier(api());
    const base = `deployments/${deploymentId}`;
    await api().call('PATCH', `${base}/settings/`, { associationId: { columnNames: ['id'] } });
    const out = await score(api(), { deploymentId, passthroughColumns: ['id'] }, dataset(600, 4, 0, 'c'));
    // The last row keeps no actual, for the wrong-class check below.
    const last = column(out, 'id').at(-1) as string;
    const ids = column(out, 'id').slice(0, -1);
    const p1 = column(out, 'churn_1_PREDICTION').map(Number).slice(0, -1);
    const labels = p1.map((p, i) => (i % 5 === 0 ? Number(p < 0.5) : Number(p >= 0.5)));
    const posted = await api().call('POST', `${base}/actuals/fromJSON/`, {
      data: ids.map((id, i) => ({ associationId: id, actualValue: labels[i], wasActedOn: false })),
    });
    expect(posted.status).toBe(202);
    const metrics = (await api().call('GET', `${base}/accuracy/`)).body.metrics as Record<
      string,
      { value: number }
    >;
    const clip = (p: number) => Math.min(1 - 1e-15, Math.max(1e-15, p));
    const logLoss = -p1.reduce((t, p, i) => t + Math.log(clip(labels[i] ? p : 1 - p)), 0) / p1.length;
    expect(metrics.LogLoss?.value).toBeCloseTo(logLoss, 4);
    expect(metrics.Accuracy?.value).toBeCloseTo(
      p1.filter((p, i) => Number(p >= 0.5) === labels[i]).length / p1.length,
      12,
    );
    let wins = 0;
    let pairs = 0;
    p1.forEach((p, i) => {
      if (!labels[i]) return;
      p1.forEach((q, j) => {
        if (labels[j]) return;
        pairs++;
        const a = Number(p.toFixed(3));
        const b = Number(q.toFixed(3));
        wins += a > b ? 1 : a === b ? 0.5 : 0;
      });
    });
    expect(metrics.AUC?.value).toBeCloseTo(wins / pairs, 12);
    const notAClass = await api().call('POST', `${base}/actuals/fromJSON/`, {
      data: [{ associationId: last, actualValue: 2 }],
    });
    expect(notAClass.body).toMatchObject({
      errors: { 'data.0.actualValue': expect.stringContaining('"0", "1"') },
    });
    expect(notAClass.status).toBe(422);
  }, 60_000);
});
