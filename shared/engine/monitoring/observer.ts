/**
 * The scorer's monitoring hook: one call per scored batch with the parsed feature values and the predictions,
 * while they are still in memory, so monitoring needs no second pass over the data. Absent, it costs nothing.
 */
import type { ModelDescription } from '../model/model-description.js';

/** One scored batch as the observer sees it; valid only during the call (the scorer reuses its buffers). */
export interface ScoredBatch {
  readonly rows: number;
  /** Per row: why it failed, or null when it was scored. */
  readonly failures: ReadonlyArray<string | null>;
  /** Per model input, row-major [rows, width]: the values onnxruntime received (NaN = missing number). */
  readonly feeds: ReadonlyArray<ArrayLike<number | bigint | string>>;
  /** Per row: the regression prediction, or each class's probability (row-major, classLabels order). */
  readonly outputs: Float64Array;
  /** Values per row in `outputs`: 1 for regression, the class count otherwise (0 for label-only models). */
  readonly outputWidth: number;
  /** Per row the predicted class; null for regression. */
  readonly labels: readonly string[] | null;
  /** Text of the observer's textColumns, row-major [rows, textColumns.length]; '' for an absent field. */
  readonly texts: readonly string[];
}

export interface BatchObserver {
  /** Header indices of columns to hand over as text (columns the model may not read, e.g. an association id). */
  readonly textColumns?: readonly number[];
  observe(batch: ScoredBatch): void;
}

/** What an observer is built from: the model, and which header columns feed each input. */
export interface ObservedRun {
  readonly model: ModelDescription;
  readonly header: readonly string[];
  /** Per model input: header index of each feeding column, in tensor column order. */
  readonly inputColumns: readonly Int32Array[];
}

/** Builds the observer of one scoring run (ScoringOptions.observe). */
export type ObserverFactory = (run: ObservedRun) => BatchObserver;
