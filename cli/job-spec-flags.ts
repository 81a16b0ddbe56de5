import { readFileSync } from 'node:fs';

/** parseArgs option definitions for the job-spec flags shared by local and remote scoring. */
export const JOB_SPEC_FLAGS = {
  'job-spec': { type: 'string' },
  'passthrough-columns': { type: 'string' },
  'passthrough-all': { type: 'boolean' },
  'no-probabilities': { type: 'boolean' },
  'include-probabilities-classes': { type: 'string' },
  'include-prediction-status': { type: 'boolean' },
  'no-abort-on-error': { type: 'boolean' },
  'column-names-remapping': { type: 'string' },
  'prediction-threshold': { type: 'string' },
  delimiter: { type: 'string' },
  quotechar: { type: 'string' },
  encoding: { type: 'string' },
} as const;

export type JobSpecFlagValues = {
  [K in keyof typeof JOB_SPEC_FLAGS]?: (typeof JOB_SPEC_FLAGS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

/**
 * Builds a DataRobot job-spec body (camelCase, as the REST API takes it) from command-line flags, on top of an
 * optional `--job-spec file.json`. Validation is left to the job-spec schema so errors read the same everywhere.
 */
export function jobSpecFromFlags(flags: JobSpecFlagValues, deploymentId: string): Record<string, unknown> {
  const base = flags['job-spec']
    ? (JSON.parse(readFileSync(flags['job-spec'], 'utf8')) as Record<string, unknown>)
    : {};
  const spec: Record<string, unknown> = { deploymentId, ...base };
  const list = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
  if (flags['passthrough-columns']) spec.passthroughColumns = list(flags['passthrough-columns']);
  if (flags['passthrough-all']) spec.passthroughColumnsSet = 'all';
  if (flags['no-probabilities']) spec.includeProbabilities = false;
  if (flags['include-probabilities-classes'])
    spec.includeProbabilitiesClasses = list(flags['include-probabilities-classes']);
  if (flags['include-prediction-status']) spec.includePredictionStatus = true;
  if (flags['no-abort-on-error']) spec.abortOnError = false;
  if (flags['column-names-remapping'])
    spec.columnNamesRemapping = JSON.parse(flags['column-names-remapping']);
  if (flags['prediction-threshold'] !== undefined)
    spec.predictionThreshold = Number(flags['prediction-threshold']);
  const csv = { ...((base.csvSettings as Record<string, unknown> | undefined) ?? {}) };
  if (flags.delimiter !== undefined) csv.delimiter = flags.delimiter;
  if (flags.quotechar !== undefined) csv.quotechar = flags.quotechar;
  if (flags.encoding !== undefined) csv.encoding = flags.encoding;
  if (Object.keys(csv).length > 0) spec.csvSettings = csv;
  return spec;
}
