import type { ExplanationOptions, PredictionWarningOptions } from '../explain/explanation-options.js';
import type { ObserverFactory } from '../monitoring/observer.js';

/** What a scoring run writes, in engine terms (a job spec maps onto this; see job-scoring-options.ts). */
export interface ScoringOptions {
  /** Input columns copied to the output: a list, every column ('all'), or none. */
  readonly passthroughColumns: readonly string[] | 'all' | null;
  readonly includeProbabilities: boolean;
  /** Limits probability columns to these classes; empty means all classes. */
  readonly includeProbabilitiesClasses: readonly string[];
  readonly includePredictionStatus: boolean;
  /** Stop the whole run at the first failed row instead of counting it. */
  readonly abortOnError: boolean;
  /** Output column renames (string) and drops (null), keyed by the original output name. */
  readonly columnNamesRemapping: ReadonlyMap<string, string | null>;
  /** Overrides the model's binary prediction threshold. */
  readonly predictionThreshold?: number | undefined;
  /** Rows per onnxruntime call. */
  readonly batchRows: number;
  /** Prediction explanations; absent or null = none (maxExplanations 0). */
  readonly explanations?: ExplanationOptions | null;
  /** Regression outlier flags (DataRobot's prediction warnings). */
  readonly predictionWarning?: PredictionWarningOptions;
  /** Sees every scored batch (deployment monitoring); absent = nothing observed, no cost. */
  readonly observe?: ObserverFactory;
}

export const DEFAULT_BATCH_ROWS = 4096;

/** Engine defaults, matching DataRobot's job spec defaults. */
export function defaultScoringOptions(overrides: Partial<ScoringOptions> = {}): ScoringOptions {
  return {
    passthroughColumns: null,
    includeProbabilities: true,
    includeProbabilitiesClasses: [],
    includePredictionStatus: false,
    abortOnError: true,
    columnNamesRemapping: new Map(),
    batchRows: DEFAULT_BATCH_ROWS,
    ...overrides,
  };
}
