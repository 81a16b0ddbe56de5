/**
 * The explanation and prediction-warning settings of a scoring run, and their checks against a model:
 * DataRobot's limits (maxExplanations 0..100, thresholds as probabilities for classification, multiclass class
 * selection) reported as ValidationError on the job-spec field to change.
 */
import { NotSupportedError, ValidationError } from '../../domain/errors.js';
import type { TargetType } from '../model/model-description.js';
import type { ExplanationAlgorithm } from './explainer.js';
import type { PredictionWarningBounds } from './explanation-manifest.js';

/** Explanation settings of a run (present only when maxExplanations > 0). */
export interface ExplanationOptions {
  readonly maxExplanations: number;
  /** Explain a row only if its prediction is above thresholdHigh or below thresholdLow (either given). */
  readonly thresholdHigh: number | null;
  readonly thresholdLow: number | null;
  /** null: the model's default (SHAP; XEMP emulation for multiclass). */
  readonly algorithm: ExplanationAlgorithm | null;
  /** Multiclass: explain the top classes by probability (default 1) or these classes. */
  readonly numTopClasses: number | null;
  readonly classNames: readonly string[] | null;
}

/** Prediction-warning settings of a run. */
export interface PredictionWarningOptions {
  readonly enabled: boolean;
  /** Per-deployment bounds that override the model package's. */
  readonly bounds?: PredictionWarningBounds | undefined;
}

/** What the checks need to know about a model (a ModelDescription or a stored package summary fits). */
export interface ExplainableModel {
  readonly targetType: TargetType;
  readonly classLabels: readonly string[];
}

/**
 * Checks explanation settings against the model they will run on. Throws ValidationError naming the job-spec
 * field (thresholds outside [0, 1] for classification, thresholds or SHAP on multiclass, unknown class names)
 * and NotSupportedError when the package carries no explanation background.
 */
export function checkExplanationOptions(
  model: ExplainableModel,
  hasBackground: boolean,
  options: ExplanationOptions,
): void {
  if (!hasBackground) {
    throw new NotSupportedError(
      'maxExplanations',
      'this model cannot provide prediction explanations: its package has no explanations.background (training rows) in the manifest',
    );
  }
  const problems: Array<{ field: string; message: string }> = [];
  const multiclass = model.targetType === 'Multiclass';
  for (const field of ['thresholdHigh', 'thresholdLow'] as const) {
    const value = options[field];
    if (value === null) continue;
    if (multiclass) {
      problems.push({ field, message: 'explanation thresholds apply to regression and binary models only' });
    } else if (model.targetType === 'Binary' && !(value >= 0 && value <= 1)) {
      problems.push({ field, message: `${value} is not a probability; expected a number in [0, 1]` });
    }
  }
  if (multiclass && options.algorithm === 'shap') {
    problems.push({
      field: 'explanationAlgorithm',
      message:
        'SHAP explanations are not available for multiclass models (as in DataRobot); use "xemp" or leave it out',
    });
  }
  const unknown = (options.classNames ?? []).filter((c) => !model.classLabels.includes(c));
  if (multiclass && unknown.length > 0) {
    problems.push({
      field: 'explanationClassNames',
      message: `unknown class${unknown.length > 1 ? 'es' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}; the model's classes are ${model.classLabels.map((c) => `"${c}"`).join(', ')}`,
    });
  }
  if (problems.length > 0) throw new ValidationError(problems);
}

/**
 * The job-creation check against a stored model package (its summary and whether it has an explanation
 * background): the same rules as when the scorer is built, so a job that would abort is refused with a 4xx
 * instead. No-op when the run asks for no explanations or the package has no summary yet.
 */
export function checkPackageExplanations(
  summary: ExplainableModel | null,
  hasBackground: boolean,
  options: ExplanationOptions | null | undefined,
): void {
  if (!options || !summary) return;
  checkExplanationOptions(summary, hasBackground, options);
}
