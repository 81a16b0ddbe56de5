/**
 * The output columns of prediction explanations and prediction warnings, named as DataRobot writes them:
 * `EXPLANATION_<i>_FEATURE_NAME|_STRENGTH|_ACTUAL_VALUE|_QUALITATIVE_STRENGTH` (i = 1..N), `SHAP_BASE_VALUE` and
 * `SHAP_REMAINING_TOTAL` for SHAP; multiclass `CLASS_<k>` + `CLASS_<k>_EXPLANATION_<i>_*`; `IS_OUTLIER_PREDICTION`
 * for regression prediction warnings.
 */
import type { ModelDescription } from '../model/model-description.js';
import type { ExplanationAlgorithm } from './explainer.js';
import type { ExplanationOptions } from './explanation-options.js';

export type ExplanationField = 'name' | 'strength' | 'actual' | 'qualitative';

/** Output cells these features add to a row. */
export type ExtraCell =
  | { readonly kind: 'explainedClass'; readonly slot: number }
  | {
      readonly kind: 'explanation';
      readonly slot: number;
      readonly rank: number;
      readonly field: ExplanationField;
    }
  | { readonly kind: 'shapBase' }
  | { readonly kind: 'shapRemaining' }
  | { readonly kind: 'outlier' };

const SUFFIX: Record<ExplanationField, string> = {
  name: 'FEATURE_NAME',
  strength: 'STRENGTH',
  actual: 'ACTUAL_VALUE',
  qualitative: 'QUALITATIVE_STRENGTH',
};

/** The column DataRobot's prediction warnings write (boolean). */
export const OUTLIER_COLUMN = 'IS_OUTLIER_PREDICTION';

/** Explained class slots of a multiclass run: the named classes, or the top-k (default 1), capped at the class count. */
export function classSlots(model: ModelDescription, options: ExplanationOptions): number {
  if (model.targetType !== 'Multiclass') return 1;
  if (options.classNames) return options.classNames.length;
  return Math.min(options.numTopClasses ?? 1, model.classLabels.length);
}

/** Explanation columns, in output order. */
export function explanationColumns(
  model: ModelDescription,
  options: ExplanationOptions,
  algorithm: ExplanationAlgorithm,
): Array<{ name: string; cell: ExtraCell }> {
  const columns: Array<{ name: string; cell: ExtraCell }> = [];
  const fields = Object.keys(SUFFIX) as ExplanationField[];
  const multiclass = model.targetType === 'Multiclass';
  for (let slot = 0; slot < classSlots(model, options); slot++) {
    const prefix = multiclass ? `CLASS_${slot + 1}_` : '';
    if (multiclass) columns.push({ name: `CLASS_${slot + 1}`, cell: { kind: 'explainedClass', slot } });
    for (let rank = 0; rank < options.maxExplanations; rank++) {
      for (const field of fields) {
        columns.push({
          name: `${prefix}EXPLANATION_${rank + 1}_${SUFFIX[field]}`,
          cell: { kind: 'explanation', slot, rank, field },
        });
      }
    }
  }
  if (algorithm === 'shap' && !multiclass) {
    columns.push({ name: 'SHAP_BASE_VALUE', cell: { kind: 'shapBase' } });
    columns.push({ name: 'SHAP_REMAINING_TOTAL', cell: { kind: 'shapRemaining' } });
  }
  return columns;
}

/**
 * XEMP-style qualitative strength of `strength` in a row whose ten largest |strengths| sum to `norm`, for a model
 * with `features` columns. The 1- and 2-feature cut-offs are DataRobot's published ones; for 3 or more features
 * only "q > 0.2 is +++" is published, so ++ (q > 0.1) and + are our approximation. |q| < 0.001 shows the weakest
 * symbol of its sign (DataRobot greys it in the UI); q = 0 counts as negative, as in DataRobot's tables.
 */
export function qualitativeStrength(strength: number, norm: number, features: number): string {
  const q = norm > 0 ? strength / norm : 0;
  const sign = q > 0 ? '+' : '-';
  const a = Math.abs(q);
  if (features <= 1) return sign.repeat(3);
  const [strong, medium] = features === 2 ? [0.75, 0.25] : [0.2, 0.1];
  if (a > strong) return sign.repeat(3);
  if (a > medium) return sign.repeat(2);
  return sign;
}
