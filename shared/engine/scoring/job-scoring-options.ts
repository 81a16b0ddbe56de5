import { NotSupportedError } from '../../domain/errors.js';
import { type JobSpec, remappingOf } from '../../domain/job-spec.js';
import type { ExplanationOptions } from '../explain/explanation-options.js';
import { DEFAULT_BATCH_ROWS, type ScoringOptions } from './scoring-options.js';

/**
 * Maps a normalized job spec onto engine options. Throws NotSupportedError for output the engine cannot write
 * (text n-gram explanations), so a job asking for it fails at creation instead of silently lacking columns.
 * Checks that need the model (thresholds, multiclass settings) run when the scorer is built (ScoringExtras).
 */
export function scoringOptionsOf(spec: JobSpec, batchRows = DEFAULT_BATCH_ROWS): ScoringOptions {
  const ngrams = spec.maxNgramExplanations;
  if (ngrams !== undefined && ngrams !== 0) {
    throw new NotSupportedError(
      'maxNgramExplanations',
      'text (n-gram) explanations are not supported: ONNX models here have no text features; leave maxNgramExplanations out or 0',
    );
  }
  return {
    passthroughColumns: spec.passthroughColumnsSet === 'all' ? 'all' : (spec.passthroughColumns ?? null),
    includeProbabilities: spec.includeProbabilities,
    includeProbabilitiesClasses: spec.includeProbabilitiesClasses ?? [],
    includePredictionStatus: spec.includePredictionStatus,
    abortOnError: spec.abortOnError,
    columnNamesRemapping: remappingOf(spec),
    predictionThreshold: spec.predictionThreshold ?? undefined,
    batchRows,
    explanations: explanationOptionsOf(spec),
    predictionWarning: { enabled: spec.predictionWarningEnabled === true },
  };
}

function explanationOptionsOf(spec: JobSpec): ExplanationOptions | null {
  if ((spec.maxExplanations ?? 0) === 0) return null;
  return {
    maxExplanations: spec.maxExplanations,
    thresholdHigh: spec.thresholdHigh,
    thresholdLow: spec.thresholdLow,
    algorithm: spec.explanationAlgorithm ?? null,
    numTopClasses: spec.explanationNumTopClasses ?? null,
    classNames: spec.explanationClassNames ?? null,
  };
}
