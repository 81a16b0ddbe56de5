/**
 * The values explanations are about, read from onnxruntime results: the regression prediction, the positive
 * class probability (binary), or every class probability (multiclass), and a batched evaluator over feeds.
 */
import { ModelError } from '../../domain/errors.js';
import type { TensorData } from '../model/inference.js';
import type { LoadedModel } from '../model/load-model.js';
import type { ModelDescription } from '../model/model-description.js';
import { type FeedArray, tensorsOf } from './feeds.js';

/** How many values per row are explained: 1 for regression and binary, one per class for multiclass. */
export function explainedOutputs(model: ModelDescription): number {
  return model.targetType === 'Multiclass' ? model.classLabels.length : 1;
}

/**
 * Reads the explained values of `rows` rows from one onnxruntime result into `out` at `offset * K`. Binary: the
 * positive class probability; a single probability column holds the second class (the converters' layout).
 */
export function readExplained(
  model: ModelDescription,
  results: Record<string, TensorData>,
  rows: number,
  out: Float64Array,
  offset: number,
): void {
  if (model.targetType === 'Regression') {
    const t = results[model.predictionOutput as string] as TensorData;
    const w = t.dims.length === 2 ? (t.dims[1] as number) : 1;
    const data = t.data as Float32Array | Float64Array;
    for (let r = 0; r < rows; r++) out[offset + r] = Number(data[r * w]);
    return;
  }
  const t = results[model.probabilityOutput as string] as TensorData;
  const w = t.dims.length === 2 ? (t.dims[1] as number) : 1;
  const data = t.data as Float32Array | Float64Array;
  const labels = model.classLabels;
  if (model.targetType === 'Binary') {
    const positive = labels.indexOf(model.positiveClass as string);
    for (let r = 0; r < rows; r++) {
      if (w === labels.length) out[offset + r] = data[r * w + positive] as number;
      else {
        const p1 = data[r * w] as number;
        out[offset + r] = positive === 1 ? p1 : 1 - p1;
      }
    }
    return;
  }
  const k = labels.length;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) out[(offset + r) * k + c] = data[r * w + c] as number;
  }
}

/** Rows per onnxruntime call when evaluating hybrid rows: bounds memory, keeps calls few. */
const MAX_RUN_ROWS = 16_384;

/** Runs the model on rows held in feeds and returns K explained values per row. */
export class ModelEvaluator {
  readonly outputs: number;
  /** Rows sent to onnxruntime so far (hybrid rows included): the evaluation budget is checked against it. */
  evaluatedRows = 0;

  constructor(private readonly model: LoadedModel) {
    const d = model.description;
    if (d.targetType !== 'Regression' && d.probabilityOutput === null) {
      throw new ModelError(
        'prediction explanations need class probabilities, but this model only outputs labels',
      );
    }
    this.outputs = explainedOutputs(d);
  }

  /** Evaluates rows [0, rows) of `feeds`. */
  async evaluate(feeds: readonly FeedArray[], rows: number): Promise<Float64Array> {
    const d = this.model.description;
    const out = new Float64Array(rows * this.outputs);
    const group = d.fixedBatch ?? 0;
    const step = group > 0 ? Math.max(group, Math.floor(MAX_RUN_ROWS / group) * group) : MAX_RUN_ROWS;
    for (let first = 0; first < rows; first += step) {
      const n = Math.min(step, rows - first);
      this.evaluatedRows += n;
      if (group > 0) await this.runFixed(feeds, first, n, group, out);
      else {
        const res = await this.model.runner.run(tensorsOf(d.inputs, feeds, first, n), this.model.fetches);
        readExplained(d, res, n, out, first);
      }
    }
    return out;
  }

  /** A graph with a fixed batch dimension: runs whole groups, padding the last with copies of its last row. */
  private async runFixed(
    feeds: readonly FeedArray[],
    first: number,
    n: number,
    group: number,
    out: Float64Array,
  ): Promise<void> {
    const d = this.model.description;
    for (let g = 0; g < n; g += group) {
      const take = Math.min(group, n - g);
      const tensors = tensorsOf(d.inputs, feeds, first + g, take);
      if (take < group) {
        for (const b of d.inputs) {
          const t = tensors[b.name] as TensorData;
          const w = b.columns.length;
          const src = t.data as unknown as ArrayLike<unknown>;
          const padded = new (src.constructor as new (n: number) => unknown[])(group * w);
          for (let i = 0; i < group * w; i++) padded[i] = src[Math.min(i, take * w - w + (i % w))];
          tensors[b.name] = { ...t, data: padded as never, dims: b.dimsFor(group) };
        }
      }
      const res = await this.model.runner.run(tensors, this.model.fetches);
      const tmp = new Float64Array(group * this.outputs);
      readExplained(d, res, group, tmp, 0);
      out.set(tmp.subarray(0, take * this.outputs), (first + g) * this.outputs);
    }
  }
}
