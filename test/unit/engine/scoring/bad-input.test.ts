import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ModelError, ScoringError, ValidationError } from '../../../../shared/domain/errors.js';
import { loadModel } from '../../../../shared/engine/model/load-model.js';
import {
  categoricalPipeline,
  identityModel,
  linearRegressor,
  untypedOutputModel,
} from '../../../support/onnx-factory.js';
import { cells, scoreText, scoreWith } from '../../../support/scoring.js';

const regressor = linearRegressor({
  coefficients: [1, 10],
  intercept: 0,
  input: { kind: 'columns', names: ['a', 'b'] },
});

describe('bad input gets a clear error, never a hang or silent garbage', () => {
  it('rejects bytes that are not an ONNX model', async () => {
    await expect(loadModel(Buffer.from('a,b\n1,2\n'))).rejects.toThrow(ModelError);
    await expect(loadModel(new Uint8Array(0))).rejects.toThrow(/not a valid ONNX model/);
    await expect(loadModel(Buffer.from(regressor).subarray(0, 40))).rejects.toThrow(ModelError);
  });

  it('rejects a manifest with wrong fields, naming them', async () => {
    await expect(loadModel(regressor, { targetName: 3, colour: 'red' })).rejects.toThrow(ValidationError);
    await expect(loadModel(regressor, { inputs: { nope: 'a' } })).rejects.toThrow(
      /manifest inputs names "nope"/,
    );
  });

  it('rejects a model whose inputs cannot be fed from the CSV without a mapping', async () => {
    const matrix = linearRegressor({ coefficients: [1, 2, 3], intercept: 0 });
    await expect(loadModel(matrix)).rejects.toThrow(
      'input "input" takes 3 columns per row; list them in manifest inputs.input',
    );
    await expect(loadModel(matrix, { inputs: { input: ['a', 'b'] } })).rejects.toThrow(
      'manifest inputs.input lists 2 columns but the graph\'s input "input" takes 3',
    );
  });

  it('rejects a manifest that contradicts the graph, naming both sides', async () => {
    const pipeline = categoricalPipeline({
      categorical: [{ name: 'sex', categories: ['male', 'female'] }],
      numeric: ['age'],
      head: {
        kind: 'linear',
        coefficients: [
          [0.5, -0.02],
          [-0.5, 0.02],
        ],
        intercepts: [0, 0],
      },
    });
    await expect(loadModel(pipeline, { classLabels: ['no', 'yes'] })).rejects.toThrow(
      "manifest classLabels [no, yes] contradict the graph's class labels [0, 1]",
    );
    await expect(loadModel(pipeline, { targetType: 'Regression' })).rejects.toThrow(ModelError);
    await expect(loadModel(pipeline, { positiveClass: 'maybe' })).rejects.toThrow(/positiveClass "maybe"/);
  });

  it('reads class labels from the classifier node of a graph whose output has no declared type', async () => {
    const model = untypedOutputModel({
      coefficients: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      intercepts: [0, 0, 0],
    });
    const { text } = await scoreText(model, { inputs: { X: ['p', 'q'] } }, 'p,q\n1,2\n');
    expect(cells(text)[0]).toEqual([
      'target_0_PREDICTION',
      'target_1_PREDICTION',
      'target_2_PREDICTION',
      'target_PREDICTION',
    ]);
    await expect(
      loadModel(model, { inputs: { X: ['p', 'q'] }, classLabels: ['x', 'y', 'z'] }),
    ).rejects.toThrow("manifest classLabels [x, y, z] contradict the graph's class labels [0, 1, 2]");
  });

  it('asks for class labels when the graph does not name them', async () => {
    const model = identityModel({
      elemType: 'float32',
      dims: [null, 3],
      inputName: 'X',
      outputName: 'probabilities',
    });
    await expect(loadModel(model, { inputs: { X: ['p', 'q', 'r'] } })).rejects.toThrow(
      /give manifest classLabels/,
    );
    const manifest = { inputs: { X: ['p', 'q', 'r'] }, classLabels: ['x', 'y', 'z'] };
    const { text } = await scoreText(model, manifest, 'p,q,r\n0.2,0.5,0.3\n');
    expect(cells(text)).toEqual([
      ['target_x_PREDICTION', 'target_y_PREDICTION', 'target_z_PREDICTION', 'target_PREDICTION'],
      [String(Math.fround(0.2)), '0.5', String(Math.fround(0.3)), 'y'],
    ]);
  });

  it('rejects an empty file and a header-only file', async () => {
    await expect(scoreText(regressor, {}, '')).rejects.toThrow(
      new ScoringError('the input is empty: expected a header row and data rows'),
    );
    await expect(scoreText(regressor, {}, 'a,b\n')).rejects.toThrow(
      new ScoringError('the input has a header row but no data rows'),
    );
  });

  it('rejects a file whose quoting never closes', async () => {
    await expect(scoreText(regressor, {}, 'a,b\n1,"2\n3,4\n')).rejects.toThrow(/malformed CSV/);
  });

  it('scores a 10,000-column row', async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    const header = ['a', 'b', ...names].join(',');
    const row = ['1', '2', ...names.map(() => '0.5')].join(',');
    const { text, summary } = await scoreText(regressor, {}, `${header}\n${row}\n${row}\n`);
    expect(summary.scoredRows).toBe(2);
    expect(cells(text)[1]).toEqual(['21']);
  });

  it('stops with a clear error on a 100 MB single field instead of buffering without bound', async () => {
    const big = Buffer.alloc(100 * 1024 * 1024, 'x'.charCodeAt(0));
    const input = Buffer.concat([Buffer.from('a,b,note\n1,2,"'), big, Buffer.from('"\n')]);
    const started = Date.now();
    await expect(scoreText(regressor, {}, input, { pieceBytes: 1 << 20 })).rejects.toThrow(
      /record is longer than the limit/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('fails rows whose bytes do not match the declared encoding, telling the user what to check', async () => {
    const pipeline = categoricalPipeline({
      categorical: [{ name: 'city', categories: ['Zürich', 'Genève'] }],
      numeric: ['age'],
      head: {
        kind: 'linear',
        coefficients: [
          [0.5, -0.02],
          [-0.5, 0.02],
        ],
        intercepts: [0, 0],
      },
    });
    const latin1 = iconv.encode('city,age\nZürich,30\nGenève,40\n', 'latin1');
    const model = await loadModel(pipeline);
    const wrong = await scoreWith(model, latin1, {
      scoring: { abortOnError: false, includePredictionStatus: true },
    });
    expect(wrong.summary.failedRows).toBe(2);
    expect(cells(wrong.text)[1]?.at(-1)).toBe(
      'column "city": invalid byte sequence for the declared encoding',
    );
    const right = await scoreWith(model, latin1, { csvSettings: { encoding: 'latin_1' } });
    expect(right.summary.scoredRows).toBe(2);
    await model.dispose();
  });
});
