/**
 * Prediction-explanation benchmarks (issue 9), held against figures measured in the same run:
 * - explained rows/s (wall clock), CSV → CSV with maxExplanations 3, on the reference GBDT (100 trees, depth 6,
 *   20 features, binary, LOGISTIC) with a 200-row background, TreeSHAP split over the explanation worker pool:
 *   target >= 1,000 rows/s on the 2-core machine, printed as a ratio to the target, with the CPU-seconds the run
 *   used (all threads), since a shared machine's wall clock also measures the neighbours;
 * - scoring without explanations on the same model and CSV: rows/s as a ratio to raw `session.run` (the engine's
 *   own target, >= 0.70), to show that the explanation hooks leave plain scoring as fast as before.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { resolveDialect } from '../shared/engine/csv/dialect.js';
import { preparedExplainer } from '../shared/engine/explain/explainer.js';
import { MAX_EXPLAIN_WORKERS } from '../shared/engine/explain/tree-shap-pool.js';
import { type LoadedModel, loadModel } from '../shared/engine/model/load-model.js';
import { scoreStream } from '../shared/engine/scoring/score-stream.js';
import { defaultScoringOptions, type ScoringOptions } from '../shared/engine/scoring/scoring-options.js';
import { backgroundRows, normalRows } from '../test/support/explain-fixtures.js';
import { referenceGbdt } from '../test/support/gbdt.js';
import { nullSink, numericCsv, rawRowsPerSecond } from './engine.bench.js';
import { type BenchResult, bestOf, formatResults } from './harness.js';

const FEATURES = 20;
const TARGET_EXPLAINED = 1000;

async function rowsPerSecond(
  model: LoadedModel,
  csv: Buffer,
  rows: number,
  scoring: ScoringOptions,
): Promise<{ wall: number; cpu: number; cpuSeconds: number }> {
  let cpuSeconds = Number.POSITIVE_INFINITY;
  const seconds = await bestOf(2, async () => {
    const before = process.cpuUsage();
    await scoreStream(model, Readable.from([csv]), nullSink(), { scoring, dialect: resolveDialect() });
    const used = process.cpuUsage(before);
    cpuSeconds = Math.min(cpuSeconds, (used.user + used.system) / 1e6);
  });
  return { wall: rows / seconds, cpu: rows / cpuSeconds, cpuSeconds };
}

/** Runs the explanation benchmarks. */
export async function run(opts: { smoke: boolean }): Promise<BenchResult[]> {
  const explainedRows = opts.smoke ? 2_000 : 20_000;
  const plainRows = opts.smoke ? 50_000 : 500_000;
  const gbdt = referenceGbdt({ seed: 7 });
  const manifest = {
    inputs: { input: gbdt.featureNames },
    explanations: { background: backgroundRows(gbdt.featureNames, normalRows(200, FEATURES, 9)) },
  };
  const model = await loadModel(gbdt.bytes, manifest, { threads: 1 });
  const prepareSeconds = await bestOf(1, () => preparedExplainer(model, 'shap'));
  const explainer = await preparedExplainer(model, 'shap');
  const explained = numericCsv(explainedRows, FEATURES, 43);
  const withExplanations = defaultScoringOptions({
    explanations: {
      maxExplanations: 3,
      thresholdHigh: null,
      thresholdLow: null,
      algorithm: 'shap',
      numTopClasses: null,
      classNames: null,
    },
  });
  const explainedRps = await rowsPerSecond(model, explained.csv, explainedRows, withExplanations);
  const plain = numericCsv(plainRows, FEATURES, 42);
  const plainRps = await rowsPerSecond(model, plain.csv, plainRows, defaultScoringOptions());
  await model.dispose();
  const raw = await rawRowsPerSecond(gbdt.bytes, plain.values, plainRows);
  const ratio = explainedRps.wall / TARGET_EXPLAINED;
  const load = loadavg()[0] ?? 0;
  const cores = availableParallelism();
  const workers = Math.min(MAX_EXPLAIN_WORKERS, cores);
  return [
    {
      name: 'explained rows/s (N=3, 100 trees depth 6)',
      value: explainedRps.wall,
      unit: 'rows/s',
      target: `>= ${TARGET_EXPLAINED}`,
      pass: explainedRps.wall >= TARGET_EXPLAINED,
      note: `${explainedRows} rows, ${explainer.method}, ${workers > 1 ? `${workers} explanation workers` : 'in-thread'} on ${cores} cores, background 200 rows, prepared in ${prepareSeconds.toFixed(2)} s; load average ${load.toFixed(1)}`,
    },
    {
      name: 'explained rows per CPU-second',
      value: explainedRps.cpu,
      unit: 'rows/s',
      note: `${explainedRps.cpuSeconds.toFixed(2)} CPU-seconds (all threads of this process) for ${explainedRows} rows: the run's cost whatever else the machine runs`,
    },
    {
      name: 'explained rows/s (wall, 2 cores) / 1,000 target',
      value: ratio,
      unit: 'x',
      target: '>= 1.00',
      pass: ratio >= 1,
    },
    {
      name: 'plain scoring (explanations off)',
      value: plainRps.wall,
      unit: 'rows/s',
      note: `${plainRows} rows; raw session.run ${Math.round(raw)} rows/s`,
    },
    {
      name: 'plain scoring / raw session.run',
      value: plainRps.wall / raw,
      unit: 'x',
      target: '>= 0.70',
      pass: plainRps.wall / raw >= 0.7,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${formatResults(await run({ smoke: process.argv.includes('--smoke') }))}\n`);
}
