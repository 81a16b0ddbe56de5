import { describe, expect, it } from 'vitest';
import { ModelError, ValidationError } from '../../../../shared/domain/errors.js';
import { qualitativeStrength } from '../../../../shared/engine/explain/explanation-columns.js';
import type { ExplanationOptions } from '../../../../shared/engine/explain/explanation-options.js';
import { tukeyFences } from '../../../../shared/engine/explain/prediction-warning.js';
import type { ScoringOptions } from '../../../../shared/engine/scoring/scoring-options.js';
import { backgroundRows, matrixCsv, normalRows, withLoadedModel } from '../../../support/explain-fixtures.js';
import { randomTrees, treeEnsembleClassifier, treeEnsembleRegressor } from '../../../support/onnx-factory.js';
import { cells, scoreWith } from '../../../support/scoring.js';

const names = ['a', 'b', 'c', 'd'];
const columns = { kind: 'columns' as const, names };
const background = backgroundRows(names, normalRows(20, 4, 7));
const input = matrixCsv(names, normalRows(12, 4, 8));

function explanations(overrides: Partial<ExplanationOptions>): Partial<ScoringOptions> {
  const base: ExplanationOptions = {
    maxExplanations: 2,
    thresholdHigh: null,
    thresholdLow: null,
    algorithm: null,
    numTopClasses: null,
    classNames: null,
  };
  return { explanations: { ...base, ...overrides } };
}

describe('multiclass explanations (XEMP emulation)', () => {
  const bytes = treeEnsembleClassifier({
    features: 4,
    trees: { seed: 4, trees: 6, depth: 3 },
    classLabels: ['cat', 'dog', 'owl'],
    zipMap: false,
    input: columns,
  });

  it('explains the predicted class by default, in CLASS_<k> columns with qualitative strengths', async () => {
    await withLoadedModel(bytes, { explanations: { background } }, async (model) => {
      const { text } = await scoreWith(model, input, { scoring: explanations({}) });
      const [header, ...rows] = cells(text);
      expect(header?.slice(4)).toEqual([
        'CLASS_1',
        ...[1, 2].flatMap((i) =>
          ['FEATURE_NAME', 'STRENGTH', 'ACTUAL_VALUE', 'QUALITATIVE_STRENGTH'].map(
            (f) => `CLASS_1_EXPLANATION_${i}_${f}`,
          ),
        ),
      ]);
      for (const row of rows) {
        expect(row[4]).toBe(row[3]); // CLASS_1 = target_PREDICTION
        expect(row[8]).toMatch(/^(\+{1,3}|-{1,3})$/);
        expect(Math.sign(Number(row[6]))).toBe(row[8]?.startsWith('+') ? 1 : -1);
      }
    });
  });

  it('explains named classes, and rejects SHAP, thresholds and unknown classes naming the field', async () => {
    await withLoadedModel(bytes, { explanations: { background } }, async (model) => {
      const { text } = await scoreWith(model, input, {
        scoring: explanations({ classNames: ['owl', 'cat'] }),
      });
      const [header, ...rows] = cells(text);
      expect(header).toContain('CLASS_2_EXPLANATION_2_STRENGTH');
      for (const row of rows)
        expect([
          row[(header as string[]).indexOf('CLASS_1')],
          row[(header as string[]).indexOf('CLASS_2')],
        ]).toEqual(['owl', 'cat']);
      for (const [overrides, field] of [
        [{ algorithm: 'shap' }, 'explanationAlgorithm'],
        [{ thresholdHigh: 0.5 }, 'thresholdHigh'],
        [{ classNames: ['emu'] }, 'explanationClassNames'],
      ] as const) {
        const run = scoreWith(model, input, { scoring: explanations(overrides) });
        await expect(run).rejects.toBeInstanceOf(ValidationError);
        await expect(run).rejects.toMatchObject({ problems: [{ field }] });
      }
    });
  });
});

describe('prediction warnings (regression)', () => {
  const bytes = treeEnsembleRegressor({
    features: 4,
    trees: randomTrees({ seed: 5, trees: 5, depth: 3, features: 4 }),
    input: columns,
  });

  it('flags predictions outside the package bounds in IS_OUTLIER_PREDICTION; a deployment override wins', async () => {
    await withLoadedModel(bytes, { predictionWarning: { lower: -0.05, upper: 0.05 } }, async (model) => {
      const { text } = await scoreWith(model, input, { scoring: { predictionWarning: { enabled: true } } });
      const [header, ...rows] = cells(text);
      expect(header).toEqual(['target_PREDICTION', 'IS_OUTLIER_PREDICTION']);
      for (const row of rows) {
        const p = Number(row[0]);
        expect(row[1]).toBe(p < -0.05 || p > 0.05 ? 'True' : 'False');
      }
      expect(rows.some((r) => r[1] === 'True')).toBe(true);
      const wide = await scoreWith(model, input, {
        scoring: { predictionWarning: { enabled: true, bounds: { lower: -100, upper: 100 } } },
      });
      expect(
        cells(wide.text)
          .slice(1)
          .every((r) => r[1] === 'False'),
      ).toBe(true);
    });
  });

  it('defaults to Q1 − 3·IQR / Q3 + 3·IQR fences of the predictions on the background', async () => {
    expect(tukeyFences([1, 2, 3, 4, 5])).toEqual({ lower: -4, upper: 10 });
    await withLoadedModel(bytes, { explanations: { background } }, async (model) => {
      const { text } = await scoreWith(model, input, { scoring: { predictionWarning: { enabled: true } } });
      expect(
        cells(text)
          .slice(1)
          .every((r) => r[1] === 'True' || r[1] === 'False'),
      ).toBe(true);
    });
  });

  it('is ignored for classifiers (no column) and fails clearly without any bounds', async () => {
    const classifier = treeEnsembleClassifier({
      features: 4,
      trees: { seed: 1, trees: 2, depth: 2 },
      zipMap: false,
      input: columns,
    });
    await withLoadedModel(classifier, {}, async (model) => {
      const { text } = await scoreWith(model, input, { scoring: { predictionWarning: { enabled: true } } });
      expect(cells(text)[0]).not.toContain('IS_OUTLIER_PREDICTION');
    });
    await withLoadedModel(bytes, {}, async (model) => {
      await expect(
        scoreWith(model, input, { scoring: { predictionWarning: { enabled: true } } }),
      ).rejects.toBeInstanceOf(ModelError);
    });
  });
});

describe('qualitative strength', () => {
  it('uses DataRobot cut-offs for 1 and 2 features and q > 0.2 → +++ beyond', () => {
    expect(qualitativeStrength(0.5, 1, 1)).toBe('+++');
    expect(qualitativeStrength(-0.0001, 1, 1)).toBe('---');
    expect(qualitativeStrength(0.8, 1, 2)).toBe('+++');
    expect(qualitativeStrength(0.5, 1, 2)).toBe('++');
    expect(qualitativeStrength(-0.1, 1, 2)).toBe('-');
    expect(qualitativeStrength(0.3, 1, 12)).toBe('+++');
    expect(qualitativeStrength(-0.15, 1, 12)).toBe('--');
    expect(qualitativeStrength(0.05, 1, 12)).toBe('+');
  });
});
