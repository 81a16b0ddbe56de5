/**
 * Scoring-engine benchmarks (issue: "Performance"). Every target is held against a baseline measured in the same run:
 * - reference GBDT (100 trees, depth 6, 20 features, binary): CSV->CSV rows/s vs raw `session.run` rows/s on the
 *   same model, batch size and threads (target >= 0.70);
 * - a linear model, where onnxruntime is nearly free: CSV path MiB/s on one core (target >= 60);
 * - peak RSS while scoring a generated CSV stream (1 GB in a full run) in a child process (target < 400 MB).
 */
import { spawnSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { resolveDialect } from '../shared/engine/csv/dialect.js';
import { type LoadedModel, loadModel } from '../shared/engine/model/load-model.js';
import { scoreStream } from '../shared/engine/scoring/score-stream.js';
import { DEFAULT_BATCH_ROWS, defaultScoringOptions } from '../shared/engine/scoring/scoring-options.js';
import { referenceGbdt } from '../test/support/gbdt.js';
import { createRng, linearClassifier } from '../test/support/onnx-factory.js';
import { type BenchResult, bestOf, formatResults } from './harness.js';

const FEATURES = 20;
const MiB = 1 << 20;

/** A CSV of standard-normal features (6 significant digits, as exported data usually has) and the same values as float32. */
export function numericCsv(
  rows: number,
  features: number,
  seed: number,
): { csv: Buffer; values: Float32Array } {
  const rng = createRng(seed);
  const values = new Float32Array(rows * features);
  const lines: string[] = [Array.from({ length: features }, (_, i) => `f${i}`).join(',')];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let f = 0; f < features; f++) {
      const v = Number(rng.normal().toPrecision(6));
      values[r * features + f] = v;
      cells.push(String(v));
    }
    lines.push(cells.join(','));
  }
  return { csv: Buffer.from(`${lines.join('\n')}\n`), values };
}

function pieces(buf: Buffer, size = MiB): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
    })(),
  );
}

/** A sink that drops what it is given: the benches time scoring, not writing. */
export function nullSink(): Writable {
  return new Writable({ write: (_c, _e, done) => done() });
}

/** onnxruntime alone on the same batches, with the engine's session settings: the ceiling scoring is held to. */
export async function rawRowsPerSecond(
  bytes: Uint8Array,
  values: Float32Array,
  rows: number,
): Promise<number> {
  // The same session settings the engine uses (1 intra-op thread), on the same batches.
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const batches: ort.Tensor[] = [];
  for (let first = 0; first < rows; first += DEFAULT_BATCH_ROWS) {
    const n = Math.min(DEFAULT_BATCH_ROWS, rows - first);
    batches.push(
      new ort.Tensor('float32', values.slice(first * FEATURES, (first + n) * FEATURES), [n, FEATURES]),
    );
  }
  const seconds = await bestOf(2, async () => {
    for (const t of batches) await session.run({ input: t }, ['probabilities']);
  });
  await session.release();
  return rows / seconds;
}

async function csvRowsPerSecond(
  model: LoadedModel,
  csv: Buffer,
  rows: number,
): Promise<{ rps: number; mibps: number }> {
  const seconds = await bestOf(2, () =>
    scoreStream(model, pieces(csv), nullSink(), {
      scoring: defaultScoringOptions(),
      dialect: resolveDialect(),
    }),
  );
  return { rps: rows / seconds, mibps: csv.length / MiB / seconds };
}

function peakRssMiB(bytes: number, nodeFlags: readonly string[] = []): number {
  const child = spawnSync(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', fileURLToPath(import.meta.url), '--rss-child', String(bytes)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`rss child failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

/** Runs the engine benchmarks. */
export async function run(opts: { smoke: boolean }): Promise<BenchResult[]> {
  const rows = opts.smoke ? 50_000 : 1_000_000;
  const { csv, values } = numericCsv(rows, FEATURES, 42);
  const gbdt = referenceGbdt({ seed: 7 });
  const trees = await loadModel(gbdt.bytes, { inputs: { input: gbdt.featureNames } }, { threads: 1 });
  const raw = await rawRowsPerSecond(gbdt.bytes, values, rows);
  const endToEnd = await csvRowsPerSecond(trees, csv, rows);
  await trees.dispose();
  const linear = await loadModel(linearModel(), { inputs: { input: gbdt.featureNames } }, { threads: 1 });
  const linearRun = await csvRowsPerSecond(linear, csv, rows);
  await linear.dispose();
  const rssBytes = opts.smoke ? 100 * MiB : 1024 * MiB;
  const rss = peakRssMiB(rssBytes);
  // V8 grows its heap lazily when memory is plentiful; a capped heap shows what the engine itself needs.
  const rssCapped = peakRssMiB(rssBytes, ['--max-old-space-size=128']);
  const ratio = endToEnd.rps / raw;
  return [
    {
      name: 'gbdt raw session.run',
      value: raw,
      unit: 'rows/s',
      note: `${rows} rows, batch ${DEFAULT_BATCH_ROWS}, 1 thread`,
    },
    {
      name: 'gbdt CSV->CSV',
      value: endToEnd.rps,
      unit: 'rows/s',
      note: `${endToEnd.mibps.toFixed(1)} MiB/s in`,
    },
    { name: 'gbdt CSV->CSV / raw', value: ratio, unit: 'x', target: '>= 0.70', pass: ratio >= 0.7 },
    {
      name: 'linear CSV->CSV',
      value: linearRun.mibps,
      unit: 'MiB/s',
      target: '>= 60',
      pass: linearRun.mibps >= 60,
      note: `${Math.round(linearRun.rps)} rows/s; CSV work on one thread`,
    },
    {
      name: `peak RSS scoring ${rssBytes / MiB} MiB CSV`,
      value: rss,
      unit: 'MiB',
      target: '< 400',
      pass: rss < 400,
    },
    {
      name: `peak RSS scoring ${rssBytes / MiB} MiB CSV, heap capped`,
      value: rssCapped,
      unit: 'MiB',
      target: '< 400',
      pass: rssCapped < 400,
      note: '--max-old-space-size=128: what the engine itself needs',
    },
  ];
}

function linearModel(): Uint8Array {
  const rng = createRng(3);
  const weights = Array.from({ length: FEATURES }, () => rng.normal());
  return linearClassifier({
    coefficients: [weights.map((w) => -w), weights],
    intercepts: [-0.1, 0.1],
    postTransform: 'SOFTMAX',
    classLabels: [0, 1],
    zipMap: true,
  });
}

/** Child-process body: scores `bytes` of generated CSV from a stream and prints the peak RSS in MiB. */
async function rssChild(bytes: number): Promise<void> {
  const { csv } = numericCsv(20_000, FEATURES, 5);
  const body = csv.subarray(csv.indexOf(10) + 1);
  const header = csv.subarray(0, csv.indexOf(10) + 1);
  const source = Readable.from(
    (function* () {
      yield header;
      for (let sent = 0; sent < bytes; sent += body.length) yield body;
    })(),
  );
  const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
  const model = await loadModel(linearModel(), { inputs: { input: names } });
  await scoreStream(model, source, nullSink(), {
    scoring: defaultScoringOptions({ passthroughColumns: ['f0', 'f1'] }),
    dialect: resolveDialect(),
  });
  process.stdout.write(`${(process.resourceUsage().maxRSS / 1024).toFixed(1)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--rss-child');
  if (at >= 0) await rssChild(Number(process.argv[at + 1]));
  else process.stdout.write(`${formatResults(await run({ smoke: process.argv.includes('--smoke') }))}\n`);
}
