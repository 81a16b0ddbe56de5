import { describe, expect, it } from 'vitest';
import { accuracyMetrics, accuracyOfPair, sumAccuracy } from '../../../shared/domain/monitoring/accuracy.js';
import { MonitoringBaselineSchema } from '../../../shared/domain/monitoring/baseline.js';
import { emptyBucket, mergeBuckets } from '../../../shared/domain/monitoring/bucket.js';
import { correlationRatio, psi } from '../../../shared/domain/monitoring/drift.js';
import { parseManifest } from '../../../shared/engine/model/manifest.js';
import type { ModelDescription } from '../../../shared/engine/model/model-description.js';
import { ChunkMonitor } from '../../../shared/engine/monitoring/chunk-monitor.js';
import { NumericBins } from '../../../shared/engine/monitoring/numeric-bins.js';
import { createRng } from '../../support/onnx-factory.js';

/** Reference AUC by comparing every positive with every negative (ties count one half). */
function bruteAuc(scores: number[], positive: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((s, i) => {
    if (!positive[i]) return;
    scores.forEach((t, j) => {
      if (positive[j]) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('accuracy from actuals', () => {
  it('matches reference LogLoss, AUC and Accuracy for a binary model, in any split of the pairs', () => {
    const rng = createRng(7);
    const scores = Array.from({ length: 400 }, () => Math.round(rng.next() * 1000) / 1000);
    const positive = scores.map((s) => rng.next() < s);
    const classes = { labels: ['no', 'yes'], positiveClass: 'yes' };
    const pairs = scores.map((s, i) =>
      accuracyOfPair('Binary', [1 - s, s], positive[i] ? 'yes' : 'no', classes),
    );
    const whole = accuracyMetrics('Binary', sumAccuracy(pairs));
    const split = accuracyMetrics(
      'Binary',
      sumAccuracy([sumAccuracy(pairs.slice(0, 123)), sumAccuracy(pairs.slice(123))]),
    );
    const clip = (p: number) => Math.min(1 - 1e-15, Math.max(1e-15, p));
    const logLoss =
      -scores.reduce((t, s, i) => t + Math.log(clip(positive[i] ? s : 1 - s)), 0) / scores.length;
    const accuracy = scores.filter((s, i) => s >= 0.5 === positive[i]).length / scores.length;
    expect(whole.LogLoss).toBeCloseTo(logLoss, 10);
    expect(whole.AUC).toBeCloseTo(bruteAuc(scores, positive), 12);
    expect(whole.Accuracy).toBeCloseTo(accuracy, 12);
    for (const name of ['LogLoss', 'AUC', 'Accuracy'])
      expect(split[name]).toBeCloseTo(whole[name] as number, 10);
  });

  it('gives multiclass LogLoss and Accuracy and no AUC', () => {
    const classes = { labels: ['a', 'b', 'c'], positiveClass: null };
    const acc = sumAccuracy([
      accuracyOfPair('Multiclass', [0.7, 0.2, 0.1], 'a', classes),
      accuracyOfPair('Multiclass', [0.1, 0.3, 0.6], 'b', classes),
    ]);
    const metrics = accuracyMetrics('Multiclass', acc);
    expect(metrics.Accuracy).toBe(0.5);
    expect(metrics.LogLoss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3)) / 2, 12);
    expect(metrics.AUC).toBeNull();
  });
});

describe('drift', () => {
  it('PSI is 0 for identical proportions, positive and finite with empty bins', () => {
    expect(psi([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 12);
    const shifted = psi([50, 50, 0], [0, 50, 50]) as number;
    expect(shifted).toBeGreaterThan(1);
    expect(Number.isFinite(shifted)).toBe(true);
    expect(psi([0, 0], [1, 2])).toBeNull();
  });

  it('the importance proxy is 1 for a feature that determines the prediction and 0 for an unrelated one', () => {
    // Bins [lo, hi, missing]; prediction 1 in bin 0, 3 in bin 1.
    const y: [number, number, number] = [4, 8, 20];
    expect(correlationRatio({ counts: [2, 2, 0], ySums: [2, 6, 0] }, y)).toBeCloseTo(1, 12);
    expect(correlationRatio({ counts: [2, 2, 0], ySums: [4, 4, 0] }, y)).toBeCloseTo(0, 12);
    expect(correlationRatio({ counts: [4, 0, 0], ySums: [8, 0, 0] }, [4, 8, 16])).toBeNull();
  });
});

describe('the chunk monitor', () => {
  const model = {
    targetType: 'Binary',
    classLabels: ['0', '1'],
    positiveClass: '1',
  } as unknown as ModelDescription;
  const baseline = MonitoringBaselineSchema.parse({
    features: {
      x: { kind: 'numeric', edges: [0, 10], counts: [1, 1, 1] },
      color: { kind: 'categorical', counts: { red: 5, blue: 5 } },
      unused: { kind: 'numeric', edges: [0], counts: [1, 1] },
    },
    prediction: { kind: 'numeric', edges: [0.5], counts: [1, 1] },
  });

  it('counts features in baseline bins (missing and other categories included), predictions and associations', () => {
    const monitor = new ChunkMonitor(
      { baseline, associationColumn: 'id', associationRequired: false },
      'model1',
      '2024-01-01T10:00:00.000Z',
    );
    const header = ['id', 'x', 'color', 'unused'];
    const observer = monitor.observe({ model, header, inputColumns: [Int32Array.of(1), Int32Array.of(2)] });
    expect(observer.textColumns).toEqual([0]);
    observer.observe({
      rows: 5,
      failures: [null, null, 'bad', null, null],
      feeds: [Float32Array.of(-1, 0, 3, 10, Number.NaN), ['red', 'green', 'red', '', 'blue']],
      outputs: Float64Array.of(0.8, 0.2, 0.6, 0.4, 0.1, 0.9, 0.3, 0.7, 0.5, 0.5),
      outputWidth: 2,
      labels: ['0', '1', '0', '1', '0'],
      texts: ['r1', 'r2', 'r3', '', 'r5'],
    });
    const { bucket, associations } = monitor.result();
    expect(bucket).toMatchObject({
      rows: 4,
      failedRows: 1,
      hour: '2024-01-01T10:00:00.000Z',
      modelId: 'model1',
    });
    expect(bucket.features.x?.counts).toEqual([1, 1, 1, 1]);
    expect(bucket.features.color?.counts).toEqual([1, 1, 1, 1]); // red, blue, other (green), missing
    expect(bucket.features.unused).toBeUndefined(); // the model does not read it
    expect(bucket.prediction).toEqual([2, 2, 0]);
    expect(bucket.y[0]).toBe(4);
    expect(bucket.y[1]).toBeCloseTo(0.2 + 0.4 + 0.7 + 0.5, 12);
    expect(associations).toEqual({ r1: [0.8, 0.2], r2: [0.6, 0.4], r5: [0.5, 0.5] });
    const twice = mergeBuckets(bucket, bucket);
    expect(twice.rows).toBe(8);
    expect(twice.features.color?.counts).toEqual([2, 2, 2, 2]);
    expect(mergeBuckets(emptyBucket(bucket.hour, 'model1'), bucket).prediction).toEqual([2, 2, 0]);
  });

  it('fails the run when a required association id column is missing', () => {
    const monitor = new ChunkMonitor(
      { baseline: null, associationColumn: 'id', associationRequired: true },
      'm',
      'h',
    );
    expect(() => monitor.observe({ model, header: ['x'], inputColumns: [Int32Array.of(0)] })).toThrow(
      /association id column "id"/,
    );
  });
});

describe('the manifest baseline', () => {
  it('rejects bins that do not fit their edges, naming the field', () => {
    expect(() =>
      parseManifest({
        monitoringBaseline: { features: { x: { kind: 'numeric', edges: [1, 0], counts: [1, 1, 1] } } },
      }),
    ).toThrow(/manifest\.monitoringBaseline\.features\.x\.edges/);
    expect(() =>
      parseManifest({
        monitoringBaseline: { features: { x: { kind: 'numeric', edges: [0], counts: [1] } } },
      }),
    ).toThrow(/manifest\.monitoringBaseline\.features\.x\.counts/);
  });
});

describe('numeric bins', () => {
  it('agree with counting the edges at or below each value, on edges, between them and outside', () => {
    const rng = createRng(3);
    for (const edges of [[0], [-1, 0, 1], [1e-9, 2e-9, 5], [-1e6, -3.3, 0.1, 0.10000001, 7e5], [2, 3]]) {
      const bins = new NumericBins(edges);
      const values = [...edges, ...edges.map((e) => e * (1 + 1e-12)), -Infinity, Infinity];
      for (let i = 0; i < 20_000; i++) values.push(rng.normal() * 10 ** rng.int(7) * (rng.int(2) ? 1 : 1e-9));
      for (const v of values) expect(bins.binOf(v)).toBe(edges.filter((e) => e <= v).length);
      expect(bins.binOf(Number.NaN)).toBe(edges.length + 1);
    }
  });
});
