import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../shared/domain/errors.js';
import { linearClassifier, linearRegressor, treeEnsembleClassifier } from '../../../support/onnx-factory.js';
import { cells, scoreText } from '../../../support/scoring.js';

const ROWS = [
  [0.5, -1.25, 7],
  [-2, 0.75, 8],
  [1.5, 1.5, 9],
  [0, 0, 10],
];
const CSV = `a,b,id\n${ROWS.map((r) => r.join(',')).join('\n')}\n`;

const binary = linearClassifier({
  coefficients: [
    [-1.5, 0.5],
    [1.5, -0.5],
  ],
  intercepts: [-0.2, 0.2],
  postTransform: 'SOFTMAX',
  classLabels: [0, 1],
  zipMap: false,
  input: { kind: 'columns', names: ['a', 'b'] },
});

/** The oracle: onnxruntime run directly on the same rows. */
async function orProbabilities(bytes: Uint8Array, rows: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds = {
    a: new ort.Tensor('float32', Float32Array.from(rows.map((r) => r[0] as number)), [rows.length, 1]),
    b: new ort.Tensor('float32', Float32Array.from(rows.map((r) => r[1] as number)), [rows.length, 1]),
  };
  const out = await session.run(feeds, ['probabilities']);
  const t = out.probabilities as ort.Tensor;
  const width = t.dims[1] as number;
  const data = Array.from(t.data as Float32Array);
  await session.release();
  return rows.map((_, i) => data.slice(i * width, (i + 1) * width));
}

describe('DataRobot output format', () => {
  it('writes binary columns: positive class first, label by threshold, THRESHOLD and POSITIVE_CLASS', async () => {
    const expected = await orProbabilities(binary, ROWS);
    const { text, summary } = await scoreText(binary, { targetName: 'Survived' }, CSV);
    const [header, ...rows] = cells(text);
    expect(header).toEqual([
      'Survived_1_PREDICTION',
      'Survived_0_PREDICTION',
      'Survived_PREDICTION',
      'THRESHOLD',
      'POSITIVE_CLASS',
    ]);
    rows.forEach((row, i) => {
      const [p0, p1] = expected[i] as [number, number];
      expect(Number(row[0])).toBe(p1);
      expect(Number(row[1])).toBe(p0);
      expect(row[2]).toBe(p1 >= 0.5 ? '1' : '0');
      expect(row.slice(3)).toEqual(['0.5', '1']);
    });
    expect(summary).toMatchObject({ rows: 4, scoredRows: 4, failedRows: 0, skippedRows: 0 });
  });

  it('gives the same output for the ZipMap and the plain export of one model', async () => {
    const trees = { seed: 11, trees: 5, depth: 3 };
    const plain = treeEnsembleClassifier({
      features: 2,
      trees,
      zipMap: false,
      input: { kind: 'columns', names: ['a', 'b'] },
    });
    const zip = treeEnsembleClassifier({
      features: 2,
      trees,
      zipMap: true,
      input: { kind: 'columns', names: ['a', 'b'] },
    });
    const a = await scoreText(plain, {}, CSV);
    const b = await scoreText(zip, {}, CSV);
    expect(b.text).toBe(a.text);
    expect(a.text.split('\n')[0]).toBe(
      'target_1_PREDICTION,target_0_PREDICTION,target_PREDICTION,THRESHOLD,POSITIVE_CLASS',
    );
  });

  it('writes multiclass probabilities in model class order and the argmax label, without threshold columns', async () => {
    const model = treeEnsembleClassifier({
      features: 2,
      trees: { seed: 5, trees: 4, depth: 3 },
      classLabels: ['cat', 'dog', 'eel'],
      zipMap: true,
      input: { kind: 'columns', names: ['a', 'b'] },
    });
    const { text } = await scoreText(model, { targetName: 'animal' }, CSV);
    const [header, ...rows] = cells(text);
    expect(header).toEqual([
      'animal_cat_PREDICTION',
      'animal_dog_PREDICTION',
      'animal_eel_PREDICTION',
      'animal_PREDICTION',
    ]);
    for (const row of rows) {
      const p = row.slice(0, 3).map(Number);
      expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
      expect(row[3]).toBe(['cat', 'dog', 'eel'][p.indexOf(Math.max(...p))]);
    }
  });

  it('writes a regression prediction', async () => {
    const model = linearRegressor({
      coefficients: [2, -1],
      intercept: 0.5,
      input: { kind: 'columns', names: ['a', 'b'] },
    });
    const { text } = await scoreText(model, { targetName: 'price' }, CSV);
    const [header, ...rows] = cells(text);
    expect(header).toEqual(['price_PREDICTION']);
    rows.forEach((row, i) => {
      const [a, b] = ROWS[i] as [number, number];
      expect(Number(row[0])).toBeCloseTo(2 * a - b + 0.5, 5);
    });
  });

  it('puts passthrough columns first, verbatim, in the order asked', async () => {
    const csv = 'a,name,b,id\n1,"Smith, J",2,7\n3,"say ""hi""",4,8\n';
    const { text } = await scoreText(binary, {}, csv, {
      scoring: { passthroughColumns: ['id', 'name'], includePredictionStatus: true },
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'id,name,target_1_PREDICTION,target_0_PREDICTION,target_PREDICTION,THRESHOLD,POSITIVE_CLASS,prediction_status',
    );
    expect(lines[1]).toMatch(/^7,"Smith, J",[^,]+,[^,]+,[01],0\.5,1,OK$/);
    expect(lines[2]).toMatch(/^8,"say ""hi""",/);
  });

  it('passes every input column through with passthroughColumnsSet all', async () => {
    const { text } = await scoreText(binary, {}, CSV, { scoring: { passthroughColumns: 'all' } });
    const [header, ...rows] = cells(text);
    expect(header?.slice(0, 3)).toEqual(['a', 'b', 'id']);
    rows.forEach((row, i) => expect(row.slice(0, 3).map(Number)).toEqual(ROWS[i]));
  });

  it('honours includeProbabilities, includeProbabilitiesClasses and columnNamesRemapping', async () => {
    const none = await scoreText(binary, {}, CSV, { scoring: { includeProbabilities: false } });
    expect(none.text.split('\n')[0]).toBe('target_PREDICTION,THRESHOLD,POSITIVE_CLASS');
    const one = await scoreText(binary, {}, CSV, { scoring: { includeProbabilitiesClasses: ['0'] } });
    expect(one.text.split('\n')[0]).toBe('target_0_PREDICTION,target_PREDICTION,THRESHOLD,POSITIVE_CLASS');
    const remapped = await scoreText(binary, {}, CSV, {
      scoring: {
        columnNamesRemapping: new Map([
          ['target_PREDICTION', 'label'],
          ['THRESHOLD', null],
          ['target_0_PREDICTION', null],
        ]),
      },
    });
    expect(remapped.text.split('\n')[0]).toBe('target_1_PREDICTION,label,POSITIVE_CLASS');
    await expect(
      scoreText(binary, {}, CSV, { scoring: { includeProbabilitiesClasses: ['7'] } }),
    ).rejects.toThrow(ValidationError);
  });

  it('applies a prediction threshold from the manifest or the job', async () => {
    const expected = await orProbabilities(binary, ROWS);
    const manifest = await scoreText(binary, { predictionThreshold: 0.9 }, CSV);
    const job = await scoreText(binary, {}, CSV, { scoring: { predictionThreshold: 0.9 } });
    expect(job.text).toBe(manifest.text);
    cells(job.text)
      .slice(1)
      .forEach((row, i) => {
        expect(row[2]).toBe((expected[i]?.[1] as number) >= 0.9 ? '1' : '0');
        expect(row[3]).toBe('0.9');
      });
  });

  it('uses positiveClass from the manifest', async () => {
    const { text } = await scoreText(binary, { positiveClass: 0 }, CSV);
    const [header, ...rows] = cells(text);
    expect(header?.slice(0, 2)).toEqual(['target_0_PREDICTION', 'target_1_PREDICTION']);
    for (const row of rows) {
      expect(row[2]).toBe(Number(row[0]) >= 0.5 ? '0' : '1');
      expect(row[4]).toBe('0');
    }
  });
});
