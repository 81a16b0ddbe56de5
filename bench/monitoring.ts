/**
 * Monitoring overhead (issue 9): CSV → CSV scoring with the monitoring observer on (every one of 20 features
 * counted in 10 baseline bins, the prediction histogram, the importance sums) against the same run with it off,
 * as rows/s ratios; target >= 0.85. Measured on a linear model, where scoring is cheapest and so the overhead
 * shows most, and on the reference GBDT (100 trees, depth 6).
 */
import { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { type MonitoringBaseline, MonitoringBaselineSchema } from '../shared/domain/monitoring/baseline.js';
import { resolveDialect } from '../shared/engine/csv/dialect.js';
import { type LoadedModel, loadModel } from '../shared/engine/model/load-model.js';
import { ChunkMonitor } from '../shared/engine/monitoring/chunk-monitor.js';
import { scoreStream } from '../shared/engine/scoring/score-stream.js';
import { defaultScoringOptions, type ScoringOptions } from '../shared/engine/scoring/scoring-options.js';
import { referenceGbdt } from '../test/support/gbdt.js';
import { linearRegressor } from '../test/support/onnx-factory.js';
import { numericCsv } from './engine.bench.js';
import { type BenchResult, formatResults, timeIt } from './harness.js';

const FEATURES = 20;
const TARGET = 0.85;

function baselineFor(
  names: readonly string[],
  prediction: MonitoringBaseline['prediction'],
): MonitoringBaseline {
  const edges = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];
  const counts = [2, 5, 9, 15, 19, 19, 15, 9, 5, 2];
  return MonitoringBaselineSchema.parse({
    features: Object.fromEntries(names.map((n) => [n, { kind: 'numeric', edges, counts }])),
    prediction,
  });
}

/** One timed run: wall and CPU seconds (CPU of every thread of the process: what the run costs under load). */
async function timed(model: LoadedModel, csv: Buffer, scoring: ScoringOptions): Promise<[number, number]> {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const cpu = process.cpuUsage();
  const wall = await timeIt(() =>
    scoreStream(model, Readable.from([csv]), sink, { scoring, dialect: resolveDialect() }),
  );
  const used = process.cpuUsage(cpu);
  return [wall, (used.user + used.system) / 1e6];
}

async function ratio(
  label: string,
  bytes: Uint8Array,
  manifest: unknown,
  baseline: MonitoringBaseline,
  rows: number,
): Promise<BenchResult[]> {
  const model = await loadModel(bytes, manifest, { threads: 1 });
  const { csv } = numericCsv(rows, FEATURES, 42);
  // Off and on alternate, best of each kept: load from other processes drifts over seconds and would
  // otherwise favour whichever side ran in the quieter moment.
  const best = { off: [Infinity, Infinity], on: [Infinity, Infinity] };
  let monitor: ChunkMonitor | null = null;
  for (let i = 0; i < 4; i++) {
    const off = await timed(model, csv, defaultScoringOptions());
    monitor = new ChunkMonitor({ baseline, associationColumn: null, associationRequired: false }, 'm', 'h');
    const on = await timed(model, csv, defaultScoringOptions({ observe: monitor.observe }));
    best.off = best.off.map((v, k) => Math.min(v, off[k] as number));
    best.on = best.on.map((v, k) => Math.min(v, on[k] as number));
  }
  const [offWall, offCpu] = best.off as [number, number];
  const [onWall, onCpu] = best.on as [number, number];
  const off = rows / offWall;
  const on = rows / onWall;
  await model.dispose();
  const counted = (monitor as ChunkMonitor | null)?.result().bucket.rows ?? 0;
  if (counted !== rows) throw new Error(`the monitor counted ${counted} of ${rows} rows`);
  return [
    {
      name: `${label}: monitoring off`,
      value: off,
      unit: 'rows/s',
      note: `${rows} rows, ${FEATURES} features`,
    },
    {
      name: `${label}: monitoring on`,
      value: on,
      unit: 'rows/s',
      note: '20 features x 10 bins + prediction',
    },
    {
      name: `${label}: on / off`,
      value: on / off,
      unit: 'x',
      target: `>= ${TARGET}`,
      pass: on / off >= TARGET,
    },
    {
      name: `${label}: on / off per CPU-second`,
      value: offCpu / onCpu,
      unit: 'x',
      note: 'CPU time of the whole process: the overhead whatever else the machine runs',
    },
  ];
}

/** Runs the monitoring benchmarks. */
export async function run(opts: { smoke: boolean }): Promise<BenchResult[]> {
  const rows = opts.smoke ? 50_000 : 400_000;
  const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
  const linear = linearRegressor({
    coefficients: names.map((_, i) => (i % 3) - 1),
    intercept: 0.5,
    input: { kind: 'columns', names },
  });
  const regressionPrediction = {
    kind: 'numeric' as const,
    edges: [-2, 0, 2],
    counts: [1, 1, 1, 1],
    missing: 0,
  };
  const gbdt = referenceGbdt({ seed: 7 });
  const probability = {
    kind: 'numeric' as const,
    edges: [0.25, 0.5, 0.75],
    counts: [1, 1, 1, 1],
    missing: 0,
  };
  return [
    ...(await ratio('linear', linear, { targetName: 'y' }, baselineFor(names, regressionPrediction), rows)),
    ...(await ratio(
      'GBDT 100x6',
      gbdt.bytes,
      { inputs: { input: gbdt.featureNames } },
      baselineFor(gbdt.featureNames, probability),
      Math.round(rows / 4),
    )),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${formatResults(await run({ smoke: process.argv.includes('--smoke') }))}\n`);
}
