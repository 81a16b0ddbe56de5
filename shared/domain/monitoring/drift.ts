/** Drift and importance from bucketed counts (DataRobot's default drift metric is PSI). */
import type { FeatureAggregate } from './bucket.js';

/** Proportion given to an empty bin, so PSI stays finite (the usual PSI smoothing). */
const EMPTY_BIN = 1e-4;

/**
 * Population stability index of `actual` against `expected`, two count vectors over the same bins:
 * Σ (a_i - e_i) ln(a_i / e_i) over bin proportions. Null when either side counted nothing.
 */
export function psi(expected: readonly number[], actual: readonly number[]): number | null {
  const eTotal = expected.reduce((s, v) => s + v, 0);
  const aTotal = actual.reduce((s, v) => s + v, 0);
  if (eTotal === 0 || aTotal === 0) return null;
  let score = 0;
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = Math.max((expected[i] ?? 0) / eTotal, EMPTY_BIN);
    const a = Math.max((actual[i] ?? 0) / aTotal, EMPTY_BIN);
    score += (a - e) * Math.log(a / e);
  }
  return score;
}

/**
 * The importance proxy used when the model package gives no featureImpact: the correlation ratio η of the
 * prediction across the feature's bins (how much of the prediction's variance the binned feature explains,
 * 0..1), from sums gathered while scoring; no permutation, no second pass. `y` is [n, Σy, Σy²] of the same rows.
 * Null when there is no numeric prediction (multiclass) or it does not vary.
 */
export function correlationRatio(
  feature: FeatureAggregate,
  y: readonly [number, number, number],
): number | null {
  const [n, sy, syy] = y;
  if (n === 0) return null;
  const total = syy - (sy * sy) / n;
  if (!(total > 1e-12 * Math.max(1, syy))) return null;
  let between = -(sy * sy) / n;
  feature.counts.forEach((count, i) => {
    if (count > 0) between += (feature.ySums[i] ?? 0) ** 2 / count;
  });
  return Math.sqrt(Math.min(1, Math.max(0, between / total)));
}

/** Scales importances so the largest is 1, as DataRobot reports feature impact; nulls stay null. */
export function normalizeImpact(values: ReadonlyMap<string, number | null>): Map<string, number | null> {
  let max = 0;
  for (const v of values.values()) if (v !== null && v > max) max = v;
  return new Map([...values].map(([k, v]) => [k, v === null ? null : max > 0 ? v / max : 0]));
}
