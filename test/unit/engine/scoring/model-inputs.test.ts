import { describe, expect, it } from 'vitest';
import {
  categoricalPipeline,
  identityModel,
  linearClassifier,
  treeEnsembleRegressor,
} from '../../../support/onnx-factory.js';
import { cells, scoreText } from '../../../support/scoring.js';

describe('feeding model inputs from CSV columns', () => {
  it('parses numbers as float64 for double inputs (no float32 round trip)', async () => {
    const model = identityModel({ elemType: 'float64', inputName: 'x', outputName: 'y' });
    const { text } = await scoreText(
      model,
      { targetType: 'Regression' },
      'x\n1.7999999523162842\n1.79999995232\n0.1\n',
    );
    expect(
      cells(text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(['1.7999999523162842', '1.79999995232', '0.1']);
  });

  it('feeds int64 inputs and fails rows that are not integers', async () => {
    const model = identityModel({ elemType: 'int64', inputName: 'n', outputName: 'y' });
    const { text } = await scoreText(
      model,
      { targetType: 'Regression', outputs: { prediction: 'y' } },
      'n\n3\n-7\n2.5\n',
      {
        scoring: { abortOnError: false, includePredictionStatus: true },
      },
    );
    expect(cells(text).slice(1)).toEqual([
      ['3', 'OK'],
      ['-7', 'OK'],
      ['', 'column "n": "2.5" is not an integer'],
    ]);
  });

  it('feeds string inputs (categorical pipeline with ZipMap), empty cells as ""', async () => {
    const model = categoricalPipeline({
      categorical: [{ name: 'sex', categories: ['male', 'female'] }],
      numeric: ['age'],
      head: {
        kind: 'linear',
        coefficients: [
          [1, -0.02],
          [-1, 0.02],
        ],
        intercepts: [0, 0],
      },
    });
    const { text, summary } = await scoreText(model, {}, 'sex,age\nfemale,30\nmale,40\n,50\n');
    expect(summary.scoredRows).toBe(3);
    const p = cells(text)
      .slice(1)
      .map((r) => Number(r[0]));
    expect(p[0]).not.toBe(p[1]);
  });

  it('pads batches for a model with a fixed batch dimension and drops the padding', async () => {
    const fixed = linearClassifier({
      coefficients: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      intercepts: [0, 0, 0],
      classLabels: [0, 1, 2],
      postTransform: 'SOFTMAX',
      batchSize: 3,
      zipMap: true,
    });
    const free = linearClassifier({
      coefficients: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      intercepts: [0, 0, 0],
      classLabels: [0, 1, 2],
      postTransform: 'SOFTMAX',
      zipMap: true,
    });
    const csv = `p,q\n${Array.from({ length: 7 }, (_, i) => `${i / 3},${1 - i / 4}`).join('\n')}\n`;
    const manifest = { inputs: { input: ['p', 'q'] } };
    const a = await scoreText(fixed, manifest, csv, { scoring: { batchRows: 4 } });
    const b = await scoreText(free, manifest, csv);
    expect(a.summary.scoredRows).toBe(7);
    expect(a.text).toBe(b.text);
  });

  it('scores a double-precision tree regressor', async () => {
    const model = treeEnsembleRegressor({
      features: 2,
      trees: { seed: 2, trees: 3, depth: 2 },
      precision: 'float64',
      mlOpset: 3,
      input: { kind: 'matrix', name: 'X' },
    });
    const { summary } = await scoreText(model, { inputs: { X: ['a', 'b'] } }, 'a,b\n0.1,0.2\n');
    expect(summary.scoredRows).toBe(1);
  });
});
