/**
 * DataRobot's deployment monitoring reads (service stats, feature drift, target drift, accuracy) over a time
 * range, each answered by adding up the range's hourly buckets.
 */
import { ValidationError } from '../../domain/errors.js';
import { accuracyMetrics } from '../../domain/monitoring/accuracy.js';
import { baselineVector, distributionTotal } from '../../domain/monitoring/baseline.js';
import { emptyBucket, hourOf, type MonitoringBucket, mergeBuckets } from '../../domain/monitoring/bucket.js';
import { correlationRatio, normalizeImpact, psi } from '../../domain/monitoring/drift.js';
import { type Period, parsePeriod } from '../../domain/monitoring/period.js';
import { getDeployment } from '../deployments/query-deployments.js';
import type { Deps } from '../deps.js';
import { type MonitoredModel, monitoredModel } from './model-baseline.js';
import { monitoringStore } from './settings.js';

/** The query parameters every monitoring read takes. */
export interface MonitoringQuery {
  readonly start?: string | undefined;
  readonly end?: string | undefined;
  readonly modelId?: string | undefined;
  /** Drift metric; only DataRobot's default `psi` is computed. */
  readonly metric?: string | undefined;
}

interface Window {
  readonly period: Period;
  /** The model asked for (null: every model of the deployment). */
  readonly modelId: string | null;
  /** The period's buckets of that model (of every model when null), oldest first. */
  readonly buckets: readonly MonitoringBucket[];
  readonly total: MonitoringBucket;
}

/** The period's buckets of a deployment whose owner was checked. */
async function window(deps: Deps, deploymentId: string, query: MonitoringQuery): Promise<Window> {
  const period = parsePeriod(query.start, query.end, deps.clock.now());
  const modelId = query.modelId ?? null;
  const buckets = (
    await monitoringStore(deps).buckets(deploymentId, hourOf(period.start), period.end.toISOString())
  ).filter((b) => modelId === null || b.modelId === modelId);
  return { period, modelId, buckets, total: sumBuckets(buckets, period.start, modelId) };
}

function sumBuckets(
  buckets: readonly MonitoringBucket[],
  start: Date,
  modelId: string | null,
): MonitoringBucket {
  return buckets.reduce(mergeBuckets, emptyBucket(hourOf(start), modelId ?? 'all'));
}

/** The model drift and accuracy are computed for: `modelId`, else the deployment's current model. */
async function windowWithModel(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  query: MonitoringQuery,
): Promise<Window & { model: MonitoredModel }> {
  const deployment = await getDeployment(deps, ownerId, deploymentId);
  const model =
    query.modelId === undefined
      ? await monitoredModel(deps, deployment.modelPackageId)
      : await monitoredModel(deps, query.modelId, ownerId);
  return { ...(await window(deps, deploymentId, { ...query, modelId: model.id })), model };
}

function requirePsi(query: MonitoringQuery): void {
  if (query.metric !== undefined && query.metric !== 'psi') {
    throw new ValidationError([
      {
        field: 'metric',
        message: `only "psi" (DataRobot's default drift metric) is computed; received "${query.metric}"`,
      },
    ]);
  }
}

/**
 * The window's buckets grouped into consecutive periods of `bucketSize` (an ISO-8601 duration of hours, days or
 * weeks: PT1H, P1D, P7D...; default P1D) from the window's start, at most {@link MAX_PERIODS}.
 */
function periodsOf(
  window: Window,
  bucketSize: string | undefined,
): Array<{ period: Period; total: MonitoringBucket }> {
  const size = durationMs(bucketSize ?? 'P1D');
  const { start, end } = window.period;
  const count = Math.ceil((end.getTime() - start.getTime()) / size);
  if (count > MAX_PERIODS) {
    throw new ValidationError([
      { field: 'bucketSize', message: `makes ${count} buckets over the range; at most ${MAX_PERIODS}` },
    ]);
  }
  // Each bucket goes to exactly one period: by its hour's offset from the start's hour.
  const origin = Date.parse(hourOf(start));
  const totals = Array.from({ length: count }, (_, i) => ({
    period: {
      start: new Date(start.getTime() + i * size),
      end: new Date(Math.min(end.getTime(), start.getTime() + (i + 1) * size)),
    },
    total: emptyBucket(hourOf(new Date(start.getTime() + i * size)), window.modelId ?? 'all'),
  }));
  for (const bucket of window.buckets) {
    const slot = totals[Math.min(count - 1, Math.floor((Date.parse(bucket.hour) - origin) / size))];
    if (slot) slot.total = mergeBuckets(slot.total, bucket);
  }
  return totals;
}

const MAX_PERIODS = 1000;

function durationMs(value: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(\d+)H)?$/.exec(value);
  const [weeks, days, hours] = (m?.slice(1) ?? []).map((v) => Number(v ?? 0));
  const ms = (((weeks ?? 0) * 7 + (days ?? 0)) * 24 + (hours ?? 0)) * 3_600_000;
  if (!m || ms === 0) {
    throw new ValidationError([
      {
        field: 'bucketSize',
        message: `expected an ISO-8601 duration of whole hours, days or weeks (PT1H, P1D, P7D), received "${value}"`,
      },
    ]);
  }
  return ms;
}

function periodDocument(period: Period) {
  return { start: period.start.toISOString(), end: period.end.toISOString() };
}

/**
 * `serviceStats`: totalPredictions (rows scored), totalRequests (jobs finished), executionTime (mean job run
 * time, ms) and userErrorRate (failed rows / rows read) over the period.
 */
export async function serviceStats(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  query: MonitoringQuery,
) {
  await getDeployment(deps, ownerId, deploymentId);
  const { period, modelId, total } = await window(deps, deploymentId, query);
  return { period: periodDocument(period), modelId, metrics: serviceMetrics(total) };
}

const SERVICE_METRICS = ['totalPredictions', 'totalRequests', 'executionTime', 'userErrorRate'] as const;
type ServiceMetric = (typeof SERVICE_METRICS)[number];

function serviceMetrics(total: MonitoringBucket): Record<ServiceMetric, number | null> {
  const rowsRead = total.rows + total.failedRows;
  return {
    totalPredictions: total.rows,
    totalRequests: total.jobs,
    executionTime: total.jobs > 0 ? total.executionMs / total.jobs : null,
    userErrorRate: rowsRead > 0 ? total.failedRows / rowsRead : null,
  };
}

/** `serviceStatsOverTime`: one service metric (default totalPredictions) per `bucketSize` period. */
export async function serviceStatsOverTime(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  query: MonitoringQuery & { bucketSize?: string | undefined },
) {
  const metric = (query.metric ?? 'totalPredictions') as ServiceMetric;
  if (!SERVICE_METRICS.includes(metric)) {
    throw new ValidationError([
      {
        field: 'metric',
        message: `expected one of ${SERVICE_METRICS.join(', ')}, received "${query.metric}"`,
      },
    ]);
  }
  await getDeployment(deps, ownerId, deploymentId);
  const win = await window(deps, deploymentId, { ...query, metric: undefined });
  return {
    buckets: periodsOf(win, query.bucketSize).map(({ period, total }) => ({
      period: periodDocument(period),
      value: serviceMetrics(total)[metric],
    })),
    summary: { period: periodDocument(win.period), value: serviceMetrics(win.total)[metric] },
    metric,
    modelId: win.modelId,
  };
}

/** One row of `featureDrift`. */
export interface FeatureDriftItem {
  name: string;
  driftScore: number | null;
  featureImpact: number | null;
  sampleSize: number;
  baselineSampleSize: number | null;
}

/**
 * `featureDrift`: PSI of each column the model reads against the training baseline, and its importance (the
 * package's featureImpact, else the correlation-ratio proxy), most important first. A column without a baseline
 * has null drift.
 */
export async function featureDrift(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  query: MonitoringQuery,
) {
  requirePsi(query);
  const { period, total, model } = await windowWithModel(deps, ownerId, deploymentId, query);
  const columns = [...new Set(model.summary.inputs.flatMap((input) => input.columns))];
  const features = model.baseline?.features ?? {};
  const given = model.baseline?.featureImpact;
  const impact = normalizeImpact(
    new Map(
      columns.map((name) => {
        if (given) return [name, given[name] ?? null];
        const observed = total.features[name];
        return [name, observed ? correlationRatio(observed, total.y) : null];
      }),
    ),
  );
  const items: FeatureDriftItem[] = columns.map((name) => {
    const baseline = features[name];
    const observed = total.features[name];
    return {
      name,
      driftScore: baseline && observed ? psi(baselineVector(baseline), observed.counts) : null,
      featureImpact: impact.get(name) ?? null,
      sampleSize: observed ? observed.counts.reduce((a, b) => a + b, 0) : total.rows,
      baselineSampleSize: baseline ? distributionTotal(baseline) : null,
    };
  });
  items.sort((a, b) => (b.featureImpact ?? -1) - (a.featureImpact ?? -1) || a.name.localeCompare(b.name));
  return { period: periodDocument(period), metric: 'psi', modelId: model.id, items };
}

/** `targetDrift`: PSI of the predictions against the baseline prediction distribution. */
export async function targetDrift(deps: Deps, ownerId: string, deploymentId: string, query: MonitoringQuery) {
  requirePsi(query);
  const { period, total, model } = await windowWithModel(deps, ownerId, deploymentId, query);
  const baseline = model.baseline?.prediction;
  return {
    period: periodDocument(period),
    metric: 'psi',
    modelId: model.id,
    targetName: model.summary.targetName,
    driftScore: baseline && total.prediction ? psi(baselineVector(baseline), total.prediction) : null,
    sampleSize: total.rows,
    baselineSampleSize: baseline ? distributionTotal(baseline) : null,
  };
}

/**
 * `accuracy`: metrics over the predictions of the period that have actuals (LogLoss, AUC, Accuracy for
 * classification; RMSE, MAE, R Squared for regression). No baseline values: none are shipped with the model.
 */
export async function accuracy(deps: Deps, ownerId: string, deploymentId: string, query: MonitoringQuery) {
  const { period, total, model } = await windowWithModel(deps, ownerId, deploymentId, query);
  const values = total.accuracy ? accuracyMetrics(model.summary.targetType, total.accuracy) : {};
  const metrics = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      { value, baselineValue: null, percentChange: null },
    ]),
  );
  return { period: periodDocument(period), modelId: model.id, metrics };
}

/** `accuracyOverTime`: one accuracy metric (default LogLoss, or RMSE for regression) per `bucketSize` period. */
export async function accuracyOverTime(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  query: MonitoringQuery & { bucketSize?: string | undefined },
) {
  const win = await windowWithModel(deps, ownerId, deploymentId, { ...query, metric: undefined });
  const targetType = win.model.summary.targetType;
  const names = targetType === 'Regression' ? ['RMSE', 'MAE', 'R Squared'] : ['LogLoss', 'AUC', 'Accuracy'];
  const metric = query.metric ?? (names[0] as string);
  if (!names.includes(metric)) {
    throw new ValidationError([
      {
        field: 'metric',
        message: `expected one of ${names.join(', ')} for a ${targetType} model, received "${metric}"`,
      },
    ]);
  }
  const point = (period: Period, total: MonitoringBucket) => ({
    period: periodDocument(period),
    value: total.accuracy ? (accuracyMetrics(targetType, total.accuracy)[metric] ?? null) : null,
    sampleSize: total.accuracy?.n ?? 0,
  });
  return {
    buckets: periodsOf(win, query.bucketSize).map(({ period, total }) => point(period, total)),
    summary: point(win.period, win.total),
    baseline: { period: periodDocument(win.period), value: null, sampleSize: null },
    metric,
    modelId: win.model.id,
  };
}
