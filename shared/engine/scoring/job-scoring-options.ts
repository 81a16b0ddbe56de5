import { NotSupportedError } from '../../domain/errors.js';
import { type JobSpec, remappingOf } from '../../domain/job-spec.js';
import { DEFAULT_BATCH_ROWS, type ScoringOptions } from './scoring-options.js';

/**
 * Maps a normalized job spec onto engine options. Throws NotSupportedError for output the engine cannot write yet
 * (prediction explanations), so a job asking for them fails at creation instead of silently lacking columns.
 */
export function scoringOptionsOf(spec: JobSpec, batchRows = DEFAULT_BATCH_ROWS): ScoringOptions {
  if ((spec.maxExplanations ?? 0) > 0) {
    throw new NotSupportedError(
      'maxExplanations',
      'prediction explanations are not supported yet; set maxExplanations to 0',
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
  };
}
