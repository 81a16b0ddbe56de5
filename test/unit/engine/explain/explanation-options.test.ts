import { describe, expect, it } from 'vitest';
import { NotSupportedError, ValidationError } from '../../../../shared/domain/errors.js';
import { parseJobSpec } from '../../../../shared/domain/job-spec.js';
import { checkPackageExplanations } from '../../../../shared/engine/explain/explanation-options.js';
import { scoringOptionsOf } from '../../../../shared/engine/scoring/job-scoring-options.js';

const spec = (extra: Record<string, unknown>) => parseJobSpec({ deploymentId: 'a'.repeat(24), ...extra });
const binary = { targetType: 'Binary' as const, classLabels: ['no', 'yes'] };
const multiclass = { targetType: 'Multiclass' as const, classLabels: ['a', 'b', 'c'] };
const withBackground = true;

describe('explanation settings from a job spec', () => {
  it('maps DataRobot fields onto engine options; maxExplanations 0 means none', () => {
    expect(scoringOptionsOf(spec({})).explanations).toBeNull();
    expect(
      scoringOptionsOf(
        spec({
          maxExplanations: 5,
          thresholdHigh: 0.9,
          explanationAlgorithm: 'xemp',
          predictionWarningEnabled: true,
        }),
      ),
    ).toMatchObject({
      explanations: {
        maxExplanations: 5,
        thresholdHigh: 0.9,
        thresholdLow: null,
        algorithm: 'xemp',
        numTopClasses: null,
        classNames: null,
      },
      predictionWarning: { enabled: true },
    });
  });

  it('refuses text n-gram explanations and out-of-range maxExplanations naming the field', () => {
    expect(() => scoringOptionsOf(spec({ maxNgramExplanations: 'all' }))).toThrow(NotSupportedError);
    expect(() => spec({ maxExplanations: 101 })).toThrow(ValidationError);
    expect(() => spec({ maxExplanations: -1 })).toThrow(ValidationError);
  });

  it('checks a stored package at job creation: background, thresholds, multiclass rules', () => {
    const options = (extra: Record<string, unknown>) =>
      scoringOptionsOf(spec({ maxExplanations: 3, ...extra })).explanations;
    expect(() =>
      checkPackageExplanations(binary, withBackground, options({ thresholdLow: 0.1 })),
    ).not.toThrow();
    expect(() => checkPackageExplanations(binary, false, options({}))).toThrow(NotSupportedError);
    const problems = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return (error as ValidationError).problems.map((p) => p.field);
      }
      return [];
    };
    expect(
      problems(() =>
        checkPackageExplanations(binary, withBackground, options({ thresholdHigh: 2, thresholdLow: -1 })),
      ),
    ).toEqual(['thresholdHigh', 'thresholdLow']);
    expect(
      problems(() =>
        checkPackageExplanations(multiclass, withBackground, options({ explanationAlgorithm: 'shap' })),
      ),
    ).toEqual(['explanationAlgorithm']);
    expect(
      problems(() =>
        checkPackageExplanations(multiclass, withBackground, options({ explanationClassNames: ['z'] })),
      ),
    ).toEqual(['explanationClassNames']);
    // Regression thresholds are prediction values: any number.
    expect(() =>
      checkPackageExplanations(
        { targetType: 'Regression', classLabels: [] },
        withBackground,
        options({ thresholdHigh: 1e6 }),
      ),
    ).not.toThrow();
    expect(() => checkPackageExplanations(binary, false, null)).not.toThrow();
  });
});
