import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resolveDialect } from '../../shared/engine/csv/dialect.js';
import { loadModel } from '../../shared/engine/model/load-model.js';
import { scoreStream } from '../../shared/engine/scoring/score-stream.js';
import { defaultScoringOptions } from '../../shared/engine/scoring/scoring-options.js';

/**
 * Every real third-party model in ../shared/models scores its dataset rows through the whole engine (CSV in,
 * DataRobot CSV out) and matches onnxruntime's recorded outputs. The models are read where they lie.
 */
const MODELS = resolve(import.meta.dirname, '../../../shared/models');

interface TensorRecord {
  type: string;
  dims: number[];
  data: Array<number | string>;
}
interface Expected {
  model: string;
  dataset: string;
  task: 'binary' | 'multiclass' | 'regression';
  /** The scored rows as the dataset's raw cell strings, keyed by column. */
  input_rows: Array<Record<string, string>>;
  feature_mapping: Record<string, string | string[]>;
  outputs: Record<string, TensorRecord>;
  non_tensor_outputs?: Record<
    string,
    { zipmap_keys: Array<string | number>; pre_zipmap_tensor: TensorRecord }
  >;
}

/** What the graph cannot tell and a user would write in the manifest. */
const MANIFEST_EXTRAS: Record<string, Record<string, unknown>> = {};

function expectations(): Expected[] {
  if (!existsSync(MODELS))
    throw new Error(`the real-model suite needs ../shared/models (looked in ${MODELS})`);
  return readdirSync(join(MODELS, 'expected'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(MODELS, 'expected', f), 'utf8')) as Expected);
}

async function score(expected: Expected): Promise<{ header: string[]; rows: string[][] }> {
  const datasetHeader = readFileSync(join(MODELS, expected.dataset), 'utf8').split('\n', 1)[0] as string;
  const columns = datasetHeader.split(',');
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const records = expected.input_rows.map((row) => columns.map((c) => quote(row[c] ?? '')).join(','));
  const csv = `${datasetHeader}\n${records.join('\n')}\n`;
  const model = await loadModel(readFileSync(join(MODELS, expected.model)), {
    inputs: expected.feature_mapping,
    ...MANIFEST_EXTRAS[expected.model],
  });
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const summary = await scoreStream(model, Readable.from([Buffer.from(csv)]), sink, {
    scoring: defaultScoringOptions({ includePredictionStatus: true, abortOnError: false }),
    dialect: resolveDialect(),
  });
  await model.dispose();
  expect(summary.scoredRows).toBe(expected.input_rows.length);
  expect(summary.failedRows).toBe(0);
  const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
  return { header: (lines[0] as string).split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

/** Probabilities per row, one column per class, from the recorded tensor; classes as the model orders them. */
function expectedProbabilities(expected: Expected): { classes: string[]; rows: number[][] } | null {
  const zip = Object.values(expected.non_tensor_outputs ?? {})[0];
  const tensor = zip?.pre_zipmap_tensor ?? expected.outputs.probabilities;
  if (!tensor) return null;
  const width = tensor.dims[1] as number;
  const classes = zip
    ? zip.zipmap_keys.map(String)
    : ((MANIFEST_EXTRAS[expected.model]?.classLabels as string[] | undefined) ??
      Array.from({ length: width }, (_, i) => String(i)));
  const rows = Array.from({ length: tensor.dims[0] as number }, (_, r) =>
    Array.from({ length: width }, (_, k) => Number(tensor.data[r * width + k])),
  );
  return { classes, rows };
}

describe('real converter models in ../shared/models', () => {
  for (const expected of expectations()) {
    it(`${expected.model} scores like onnxruntime`, async () => {
      const { header, rows } = await score(expected);
      expect(rows).toHaveLength(expected.input_rows.length);
      expect(header.at(-1)).toBe('prediction_status');
      expect(rows.every((r) => r.at(-1) === 'OK')).toBe(true);
      if (expected.task === 'regression') {
        const out = Object.values(expected.outputs)[0] as TensorRecord;
        expect(header).toEqual(['target_PREDICTION', 'prediction_status']);
        rows.forEach((r, i) => expect(Number(r[0])).toBeCloseTo(Number(out.data[i]), 6));
        return;
      }
      const probs = expectedProbabilities(expected);
      expect(probs).not.toBeNull();
      const { classes, rows: p } = probs as { classes: string[]; rows: number[][] };
      for (const [k, cls] of classes.entries()) {
        const col = header.indexOf(`target_${cls}_PREDICTION`);
        expect(col, `column target_${cls}_PREDICTION in ${header.join(',')}`).toBeGreaterThanOrEqual(0);
        rows.forEach((r, i) => expect(Number(r[col])).toBeCloseTo(p[i]?.[k] as number, 6));
      }
      const predicted = rows.map((r) => r[header.indexOf('target_PREDICTION')]);
      const argmax = p.map((pr) => classes[pr.indexOf(Math.max(...pr))]);
      if (expected.task === 'binary') {
        expect(header.slice(-3, -1)).toEqual(['THRESHOLD', 'POSITIVE_CLASS']);
        const positive = classes[1] as string;
        expect(header.indexOf(`target_${positive}_PREDICTION`)).toBe(0);
        expect(predicted).toEqual(p.map((pr) => ((pr[1] as number) >= 0.5 ? positive : classes[0])));
      } else {
        expect(predicted).toEqual(argmax);
      }
      const labels = Object.entries(expected.outputs).find(([name]) => /label/.test(name))?.[1];
      if (labels) expect(predicted).toEqual(labels.data.map(String));
    });
  }
});
