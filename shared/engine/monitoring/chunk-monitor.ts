/**
 * Builds one chunk's monitoring aggregate while it is scored: feature values and predictions counted in the
 * training baseline's bins, row counts, prediction sums for the importance proxy, and (with an association id
 * column) each row's prediction keyed by its association id for actuals to join later.
 */

import { ScoringError } from '../../domain/errors.js';
import type { StoredPrediction } from '../../domain/monitoring/accuracy.js';
import { binCount, type Distribution, type MonitoringBaseline } from '../../domain/monitoring/baseline.js';
import { emptyBucket, type MonitoringBucket } from '../../domain/monitoring/bucket.js';
import { NumericBins } from './numeric-bins.js';
import type { BatchObserver, ObservedRun, ObserverFactory, ScoredBatch } from './observer.js';

export interface ChunkMonitorSpec {
  /** The model package's baseline; without it only counts (and association ids) are kept. */
  readonly baseline: MonitoringBaseline | null;
  /** The deployment's association id column, if any. */
  readonly associationColumn: string | null;
  /** Whether a chunk without that column must fail. */
  readonly associationRequired: boolean;
}

/** What a monitored chunk leaves: its aggregate and its association-id-keyed predictions. */
export interface ChunkMonitoring {
  readonly bucket: MonitoringBucket;
  readonly associations: Record<string, StoredPrediction>;
}

/** Counts one value into a count vector (and its prediction into ySums). */
type Counter = (value: number | bigint | string) => number;

interface TrackedFeature {
  readonly name: string;
  readonly input: number;
  readonly offset: number;
  readonly bin: Counter;
  /** The numeric baseline's bins, for the typed fast path; null for a categorical feature. */
  readonly bins: NumericBins | null;
  readonly counts: number[];
  readonly ySums: number[];
}

/**
 * One chunk's monitor: pass `observe` as ScoringOptions.observe of one scoring run (a second run would restart
 * the feature counts), read `result()` after scoring.
 */
export class ChunkMonitor {
  private readonly bucket: MonitoringBucket;
  private readonly associations: Record<string, StoredPrediction> = {};

  constructor(
    private readonly spec: ChunkMonitorSpec,
    modelId: string,
    hour: string,
  ) {
    this.bucket = emptyBucket(hour, modelId);
  }

  readonly observe: ObserverFactory = (run) => this.observerFor(run);

  /** The chunk's aggregate so far. */
  result(): ChunkMonitoring {
    return { bucket: this.bucket, associations: this.associations };
  }

  private observerFor(run: ObservedRun): BatchObserver {
    const { model, header } = run;
    const features = trackedFeatures(run, this.spec.baseline);
    const predictionBaseline = this.spec.baseline?.prediction ?? null;
    const predictionBin = predictionBaseline ? counterFor(predictionBaseline) : null;
    const prediction = predictionBaseline ? new Array<number>(binCount(predictionBaseline)).fill(0) : null;
    const positive =
      model.targetType === 'Binary' ? model.classLabels.indexOf(model.positiveClass ?? '') : -1;
    const association = this.associationIndex(header);
    const bucket = this.bucket;
    const associations = this.associations;
    if (prediction) bucket.prediction = prediction;
    for (const f of features) bucket.features[f.name] = { counts: f.counts, ySums: f.ySums };
    return {
      textColumns: association === null ? [] : [association],
      observe(batch: ScoredBatch): void {
        const w = batch.outputWidth;
        // Row-wise once: counts, the numeric prediction (NaN for failed rows and multiclass), associations.
        const ys = new Float64Array(batch.rows);
        const scored = new Uint8Array(batch.rows);
        for (let row = 0; row < batch.rows; row++) {
          if (batch.failures[row] !== null) {
            bucket.failedRows++;
            ys[row] = Number.NaN;
            continue;
          }
          scored[row] = 1;
          bucket.rows++;
          let y = Number.NaN;
          if (model.targetType === 'Regression') y = batch.outputs[row] as number;
          else if (positive >= 0 && w > 0) y = batch.outputs[row * w + positive] as number;
          ys[row] = y;
          if (!Number.isNaN(y)) {
            bucket.y[0]++;
            bucket.y[1] += y;
            bucket.y[2] += y * y;
          }
          if (prediction && predictionBin) {
            const value = predictionBaseline?.kind === 'categorical' ? (batch.labels?.[row] ?? '') : y;
            const bin = predictionBin(value);
            prediction[bin] = (prediction[bin] as number) + 1;
          }
          if (association !== null) {
            const id = batch.texts[row] as string;
            if (id !== '') associations[id] = storedPrediction(batch, row, model.classLabels);
          }
        }
        // Column-wise per feature: the hot loop, kept free of per-value closures for numeric feeds.
        for (const f of features) {
          const feed = batch.feeds[f.input] as ArrayLike<number | bigint | string>;
          const width = run.inputColumns[f.input]?.length ?? 1;
          if (f.bins !== null && (feed instanceof Float32Array || feed instanceof Float64Array)) {
            countNumeric(feed, width, f.offset, f.bins, scored, ys, f);
            continue;
          }
          for (let row = 0; row < batch.rows; row++) {
            if (scored[row] === 0) continue;
            const bin = f.bin(feed[row * width + f.offset] as number | bigint | string);
            f.counts[bin] = (f.counts[bin] as number) + 1;
            const y = ys[row] as number;
            if (!Number.isNaN(y)) f.ySums[bin] = (f.ySums[bin] as number) + y;
          }
        }
      },
    };
  }

  /** Header index of the association id column, or null; throws ScoringError when it is required and absent. */
  private associationIndex(header: readonly string[]): number | null {
    const column = this.spec.associationColumn;
    if (column === null) return null;
    const index = header.indexOf(column);
    if (index >= 0) return index;
    if (this.spec.associationRequired) {
      throw new ScoringError(
        `the deployment requires the association id column "${column}" in prediction requests (settings.associationId.requiredInPredictionRequests), and the input has no such column`,
      );
    }
    return null;
  }
}

/** Baseline features the model reads, with where each sits in the feeds. Columns the model ignores are skipped. */
function trackedFeatures(run: ObservedRun, baseline: MonitoringBaseline | null): TrackedFeature[] {
  if (baseline === null) return [];
  const tracked: TrackedFeature[] = [];
  for (const [name, distribution] of Object.entries(baseline.features)) {
    const column = run.header.indexOf(name);
    if (column < 0) continue;
    const input = run.inputColumns.findIndex((cols) => cols.includes(column));
    if (input < 0) continue;
    const size = binCount(distribution);
    tracked.push({
      name,
      input,
      offset: (run.inputColumns[input] as Int32Array).indexOf(column),
      bin: counterFor(distribution),
      bins: distribution.kind === 'numeric' ? new NumericBins(distribution.edges) : null,
      counts: new Array<number>(size).fill(0),
      ySums: new Array<number>(size).fill(0),
    });
  }
  return tracked;
}

/** counterFor's numeric case over a float feed, in one pass down the column. */
function countNumeric(
  feed: Float32Array | Float64Array,
  width: number,
  offset: number,
  bins: NumericBins,
  scored: Uint8Array,
  ys: Float64Array,
  f: TrackedFeature,
): void {
  const { counts, ySums } = f;
  for (let row = 0; row < scored.length; row++) {
    if (scored[row] === 0) continue;
    const bin = bins.binOf(feed[row * width + offset] as number);
    counts[bin] = (counts[bin] as number) + 1;
    const y = ys[row] as number;
    if (!Number.isNaN(y)) ySums[bin] = (ySums[bin] as number) + y;
  }
}

/** Maps a fed value to its bin in the distribution's count vector (see baselineVector); the last bin is missing. */
function counterFor(d: Distribution): Counter {
  const missing = binCount(d) - 1;
  if (d.kind === 'numeric') {
    const bins = new NumericBins(d.edges);
    return (value) =>
      bins.binOf(
        typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : numberOf(value),
      );
  }
  const index = new Map(Object.keys(d.counts).map((c, i) => [c, i]));
  const other = missing - 1;
  return (value) => {
    if (typeof value === 'number' && Number.isNaN(value)) return missing;
    const text = String(value);
    if (text === '') return missing;
    return index.get(text) ?? other;
  };
}

function numberOf(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

function storedPrediction(batch: ScoredBatch, row: number, labels: readonly string[]): StoredPrediction {
  const w = batch.outputWidth;
  if (batch.labels === null) return batch.outputs[row] as number;
  if (w > 0) return Array.from(batch.outputs.subarray(row * w, row * w + w));
  // A label-only classifier: the predicted class gets probability 1.
  return labels.map((label) => (label === batch.labels?.[row] ? 1 : 0));
}
