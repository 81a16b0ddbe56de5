/**
 * Accuracy of predictions against actuals, from accuracy sums (see AccuracyAggregate), under the metric names
 * the DataRobot client accepts.
 */
import { type AccuracyAggregate, emptyAccuracy, mergeAccuracy, SCORE_RESOLUTION } from './bucket.js';

export type TargetType = 'Binary' | 'Multiclass' | 'Regression';

/** Probabilities are clipped to [ε, 1-ε] for LogLoss, as scikit-learn does. */
const LOGLOSS_EPSILON = 1e-15;

/** One joined prediction: a regression value, or the class probabilities in class-label order. */
export type StoredPrediction = number | number[];

/**
 * The accuracy sums of one (prediction, actual) pair. `actual` is a number for regression, a class label
 * otherwise; `classLabels` orders the probabilities and names the positive class (binary: `positiveClass`).
 */
export function accuracyOfPair(
  targetType: TargetType,
  prediction: StoredPrediction,
  actual: number | string,
  classes: { labels: readonly string[]; positiveClass: string | null },
): AccuracyAggregate {
  const acc = emptyAccuracy();
  acc.n = 1;
  if (targetType === 'Regression') {
    const err = (prediction as number) - (actual as number);
    acc.se = err * err;
    acc.ae = Math.abs(err);
    acc.sa = actual as number;
    acc.saa = (actual as number) ** 2;
    return acc;
  }
  const probabilities = prediction as readonly number[];
  const actualIndex = classes.labels.indexOf(String(actual));
  let best = 0;
  probabilities.forEach((p, i) => {
    if (p > (probabilities[best] as number)) best = i;
  });
  if (targetType === 'Binary') {
    const positive = classes.labels.indexOf(classes.positiveClass ?? (classes.labels[1] as string));
    const pPositive = probabilities[positive] as number;
    // Binary predictions use the 0.5 cut here; the deployment threshold only changes the label column.
    best = pPositive >= 0.5 ? positive : 1 - positive;
    const key = pPositive.toFixed(SCORE_RESOLUTION);
    acc.scores[key] = actualIndex === positive ? [1, 0] : [0, 1];
  }
  acc.correct = best === actualIndex ? 1 : 0;
  const p = Math.min(1 - LOGLOSS_EPSILON, Math.max(LOGLOSS_EPSILON, probabilities[actualIndex] ?? 0));
  acc.logLoss = -Math.log(p);
  return acc;
}

/** Adds many pair aggregates. */
export function sumAccuracy(parts: Iterable<AccuracyAggregate>): AccuracyAggregate {
  let total = emptyAccuracy();
  for (const part of parts) total = mergeAccuracy(total, part);
  return total;
}

/** Metric display name → value, for the target type; empty when nothing was joined. */
export function accuracyMetrics(
  targetType: TargetType,
  acc: AccuracyAggregate,
): Record<string, number | null> {
  if (acc.n === 0) return {};
  if (targetType === 'Regression') {
    const sst = acc.saa - (acc.sa * acc.sa) / acc.n;
    return {
      RMSE: Math.sqrt(acc.se / acc.n),
      MAE: acc.ae / acc.n,
      'R Squared': sst > 0 ? 1 - acc.se / sst : null,
    };
  }
  return {
    LogLoss: acc.logLoss / acc.n,
    AUC: targetType === 'Binary' ? auc(acc.scores) : null,
    Accuracy: acc.correct / acc.n,
  };
}

/** Area under the ROC curve from score-bucketed positives/negatives; ties count one half. */
function auc(scores: Readonly<Record<string, readonly [number, number]>>): number | null {
  const sorted = Object.entries(scores)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const positives = sorted.reduce((s, [, [p]]) => s + p, 0);
  const negatives = sorted.reduce((s, [, [, n]]) => s + n, 0);
  if (positives === 0 || negatives === 0) return null;
  let negativesBelow = 0;
  let wins = 0;
  for (const [, [p, n]] of sorted) {
    wins += p * (negativesBelow + n / 2);
    negativesBelow += n;
  }
  return wins / (positives * negatives);
}
