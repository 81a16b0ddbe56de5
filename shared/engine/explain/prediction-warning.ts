/**
 * Prediction warnings (regression only, as in DataRobot): a prediction is an outlier when it falls outside
 * [lower, upper]. Bounds: the deployment's override, else the model package's `predictionWarning`, else Tukey's
 * far-out fences of the model's predictions on its training background: Q1 − 3·IQR and Q3 + 3·IQR (quartiles
 * by linear interpolation, as numpy computes them).
 */
import { ModelError } from '../../domain/errors.js';
import type { LoadedModel } from '../model/load-model.js';
import { backgroundFeeds } from './background.js';
import type { PredictionWarningBounds } from './explanation-manifest.js';
import { ModelEvaluator } from './model-outputs.js';

/** Far-out fences of a sample: Q1 − 3·IQR, Q3 + 3·IQR. */
export function tukeyFences(values: ArrayLike<number>): PredictionWarningBounds {
  const sorted = Float64Array.from(values).sort();
  const q = (p: number): number => {
    const at = (sorted.length - 1) * p;
    const lo = Math.floor(at);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
  };
  const q1 = q(0.25);
  const q3 = q(0.75);
  return { lower: q1 - 3 * (q3 - q1), upper: q3 + 3 * (q3 - q1) };
}

function missingBounds(): ModelError {
  return new ModelError(
    'predictionWarningEnabled needs outlier bounds: give the model package manifest predictionWarning {lower, upper} or explanations.background (training rows), or set bounds on the deployment',
  );
}

/** Throws ModelError when neither the deployment nor the model package can supply bounds. */
export function assertWarningBounds(model: LoadedModel, override: PredictionWarningBounds | undefined): void {
  const manifest = model.source?.manifest;
  if (!override && !manifest?.predictionWarning && !manifest?.explanations?.background) throw missingBounds();
}

const fences = new WeakMap<LoadedModel, Promise<PredictionWarningBounds>>();

/**
 * The bounds a run uses: `override` (per deployment), the manifest's `predictionWarning`, or fences of the
 * predictions on `explanations.background` (computed once per loaded model version). Throws ModelError when the
 * package has neither.
 */
export function warningBounds(
  model: LoadedModel,
  override: PredictionWarningBounds | undefined,
): Promise<PredictionWarningBounds> {
  if (override) return Promise.resolve(override);
  const manifest = model.source?.manifest;
  if (manifest?.predictionWarning) return Promise.resolve(manifest.predictionWarning);
  const background = manifest?.explanations?.background;
  if (!background) return Promise.reject(missingBounds());
  let cached = fences.get(model);
  if (!cached) {
    const evaluator = new ModelEvaluator(model);
    cached = evaluator
      .evaluate(backgroundFeeds(model.description.inputs, background), background.length)
      .then(tukeyFences);
    fences.set(model, cached);
  }
  return cached;
}
