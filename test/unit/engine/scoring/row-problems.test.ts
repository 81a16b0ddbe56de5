import { describe, expect, it } from 'vitest';
import { ScoringError } from '../../../../shared/domain/errors.js';
import { linearRegressor, treeEnsembleClassifier } from '../../../support/onnx-factory.js';
import { cells, scoreText } from '../../../support/scoring.js';

const regressor = linearRegressor({
  coefficients: [1, 10],
  intercept: 0,
  input: { kind: 'columns', names: ['a', 'b'] },
});
const keepGoing = { abortOnError: false, includePredictionStatus: true, passthroughColumns: ['id'] } as const;

describe('row-level problems', () => {
  it('counts an unparseable number as a failed row with its reason, keeping the row in place', async () => {
    const csv = 'id,a,b\n1,1,2\n2,abc,2\n3,3,4\n';
    const { text, summary } = await scoreText(regressor, {}, csv, { scoring: keepGoing });
    expect(cells(text)).toEqual([
      ['id', 'target_PREDICTION', 'prediction_status'],
      ['1', '21', 'OK'],
      ['2', '', 'column "a": "abc" is not a number'],
      ['3', '43', 'OK'],
    ]);
    expect(summary).toMatchObject({ rows: 3, scoredRows: 2, failedRows: 1 });
  });

  it('stops at the first failed row when abortOnError is true, naming the row', async () => {
    const csv = 'id,a,b\n1,1,2\n2,1,x\n';
    await expect(scoreText(regressor, {}, csv)).rejects.toThrow(/row 2: column "b": "x" is not a number/);
  });

  it('fails rows with too few or too many fields', async () => {
    const csv = 'id,a,b\n1,1,2\n2,1\n3,1,2,9\n4,0,0\n';
    const { text, summary } = await scoreText(regressor, {}, csv, { scoring: keepGoing });
    const rows = cells(text).slice(1);
    expect(rows.map((r) => r[2])).toEqual([
      'OK',
      'expected 3 fields, found 2',
      'expected 3 fields, found 4',
      'OK',
    ]);
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3', '4']);
    expect(summary.failedRows).toBe(2);
  });

  it('fails a row with broken quoting instead of misreading it', async () => {
    const csv = 'id,a,b\n1,"1"x,2\n2,3,4\n';
    const { text } = await scoreText(regressor, {}, csv, { scoring: keepGoing });
    expect(cells(text)[1]?.[2]).toBe('column "a": malformed quoting');
    expect(cells(text)[2]).toEqual(['2', '43', 'OK']);
  });

  it('feeds empty cells and NA tokens to the model as NaN (trees route them as the model says)', async () => {
    const trees = treeEnsembleClassifier({
      features: 2,
      trees: { seed: 3, trees: 3, depth: 2 },
      zipMap: false,
      input: { kind: 'columns', names: ['a', 'b'] },
    });
    const blank = await scoreText(trees, {}, 'a,b\n,1\n');
    const na = await scoreText(trees, {}, 'a,b\nNA,1\n');
    expect(blank.summary.scoredRows).toBe(1);
    expect(na.text).toBe(blank.text);
  });

  it('reads columns in any order and ignores extra columns; skips blank lines', async () => {
    const a = await scoreText(regressor, {}, 'a,b\n1,2\n3,4\n');
    const b = await scoreText(regressor, {}, 'zz,b,extra,a\nq,2,,1\n\nq,4,,3\n');
    expect(b.text).toBe(a.text);
    expect(b.summary.skippedRows).toBe(1);
  });

  it('names every missing column before scoring anything', async () => {
    const model = linearRegressor({
      coefficients: [1, 1, 1],
      intercept: 0,
      input: { kind: 'columns', names: ['a', 'b', 'c'] },
    });
    await expect(scoreText(model, {}, 'a,x\n1,2\n')).rejects.toThrow(
      new ScoringError('the input is missing 2 columns the model needs: "b", "c"'),
    );
  });
});
