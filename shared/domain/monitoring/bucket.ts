/**
 * Pre-aggregated monitoring data: one bucket per deployment, hour and model holds sums only (row and job counts,
 * binned feature and prediction counts, accuracy sums), so any time range is answered by adding a handful of
 * buckets and a chunk's aggregate is a bucket of its own, merged by addition.
 */
import { z } from 'zod';

const sum = () => z.number();

/** One feature counted in its baseline's bins (see baselineVector); ySums holds Σ prediction per bin. */
export const FeatureAggregateSchema = z.strictObject({
  counts: z.array(z.number().min(0)),
  ySums: z.array(sum()),
});
export type FeatureAggregate = z.infer<typeof FeatureAggregateSchema>;

/**
 * Sums over the joined (prediction, actual) pairs. Regression: squared and absolute errors, Σ actual and
 * Σ actual². Classification: correct predictions, Σ -ln p(actual class), and for binary AUC the pairs counted by
 * positive-class probability rounded to {@link SCORE_RESOLUTION} (key → [positives, negatives]).
 */
export const AccuracyAggregateSchema = z.strictObject({
  n: z.number().min(0),
  se: sum(),
  ae: sum(),
  sa: sum(),
  saa: sum(),
  correct: z.number().min(0),
  logLoss: sum(),
  scores: z.record(z.string(), z.tuple([z.number().min(0), z.number().min(0)])),
});
export type AccuracyAggregate = z.infer<typeof AccuracyAggregateSchema>;

/** Decimals binary probabilities keep for AUC: AUC is exact for scores that differ at this resolution. */
export const SCORE_RESOLUTION = 3;

export const MonitoringBucketSchema = z.strictObject({
  /** Start of the hour, ISO-8601 UTC. */
  hour: z.iso.datetime(),
  modelId: z.string().min(1),
  /** Jobs finished in this hour. */
  jobs: z.number().min(0),
  /** Rows scored (failed rows excluded). */
  rows: z.number().min(0),
  failedRows: z.number().min(0),
  /** Σ run time of the finished jobs, ms. */
  executionMs: z.number().min(0),
  features: z.record(z.string(), FeatureAggregateSchema),
  /** Predictions counted in the baseline prediction bins; null without a prediction baseline. */
  prediction: z.array(z.number().min(0)).nullable(),
  /** [n, Σy, Σy²] of the numeric prediction (regression value or positive-class probability). */
  y: z.tuple([z.number().min(0), sum(), sum()]),
  accuracy: AccuracyAggregateSchema.nullable(),
});
export type MonitoringBucket = z.infer<typeof MonitoringBucketSchema>;

/** A bucket with nothing counted yet. */
export function emptyBucket(hour: string, modelId: string): MonitoringBucket {
  return {
    hour,
    modelId,
    jobs: 0,
    rows: 0,
    failedRows: 0,
    executionMs: 0,
    features: {},
    prediction: null,
    y: [0, 0, 0],
    accuracy: null,
  };
}

/** An accuracy aggregate with nothing counted yet. */
export function emptyAccuracy(): AccuracyAggregate {
  return { n: 0, se: 0, ae: 0, sa: 0, saa: 0, correct: 0, logLoss: 0, scores: {} };
}

/** The start of the UTC hour `time` falls in, ISO-8601. */
export function hourOf(time: Date): string {
  const t = new Date(time);
  t.setUTCMinutes(0, 0, 0);
  return t.toISOString();
}

/** Adds `b` into a copy of `a` (same model; hour and model of `a` are kept). */
export function mergeBuckets(a: MonitoringBucket, b: MonitoringBucket): MonitoringBucket {
  const features: Record<string, FeatureAggregate> = { ...a.features };
  for (const [name, f] of Object.entries(b.features)) {
    const mine = features[name];
    features[name] = mine
      ? { counts: addVectors(mine.counts, f.counts), ySums: addVectors(mine.ySums, f.ySums) }
      : f;
  }
  return {
    hour: a.hour,
    modelId: a.modelId,
    jobs: a.jobs + b.jobs,
    rows: a.rows + b.rows,
    failedRows: a.failedRows + b.failedRows,
    executionMs: a.executionMs + b.executionMs,
    features,
    prediction:
      a.prediction && b.prediction ? addVectors(a.prediction, b.prediction) : (a.prediction ?? b.prediction),
    y: [a.y[0] + b.y[0], a.y[1] + b.y[1], a.y[2] + b.y[2]],
    accuracy: a.accuracy && b.accuracy ? mergeAccuracy(a.accuracy, b.accuracy) : (a.accuracy ?? b.accuracy),
  };
}

/** Adds two accuracy aggregates. */
export function mergeAccuracy(a: AccuracyAggregate, b: AccuracyAggregate): AccuracyAggregate {
  const scores: Record<string, [number, number]> = { ...a.scores };
  for (const [key, [pos, neg]] of Object.entries(b.scores)) {
    const mine = scores[key];
    scores[key] = mine ? [mine[0] + pos, mine[1] + neg] : [pos, neg];
  }
  return {
    n: a.n + b.n,
    se: a.se + b.se,
    ae: a.ae + b.ae,
    sa: a.sa + b.sa,
    saa: a.saa + b.saa,
    correct: a.correct + b.correct,
    logLoss: a.logLoss + b.logLoss,
    scores,
  };
}

/** Element-wise sum; a shorter vector counts as zeros (bins of one baseline always have one length). */
function addVectors(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}
