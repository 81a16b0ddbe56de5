/**
 * The DataRobot Batch Prediction `jobSpec`: the body of `POST /batchPredictions/` (and of a job definition),
 * validated and normalized into what the job echoes back.
 *
 * Where the rules come from:
 * - echoed defaults: DataRobot's "Predictions on large datasets" example response
 *   (includeProbabilitiesClasses [], maxExplanations 0, numConcurrent 4, null thresholds, passthrough and
 *   predictionWarningEnabled, csvSettings `,` `"` `utf-8`, localFile intake/output, ...); chunkSize "auto"
 *   and disableRowLevelErrorHandling false from the REST reference's job-definition example;
 * - fields the clients send: the DataRobot Python client 2.25 / 3.x (the client protocol notes on the create
 *   and status calls), which also requires `numConcurrent` in every echo;
 * - ranges: DataRobot's REST reference for BatchPredictionJobCreate. Cross-checked against DataRobot's own
 *   published pydantic model of the body: maxExplanations 0..100, explanationNumTopClasses 1..10,
 *   predictionThreshold 0..1, numConcurrent >= 1, JDBC fetchSize 1..1e6, commitInterval 0..86400
 *   (default 600). From the reference alone (not re-checked): chunkSize "auto"|"fixed"|"dynamic"|20..41943040
 *   bytes, passthroughColumns and includeProbabilitiesClasses at most 100 items, explanationClassNames
 *   1..10 items, list-form columnNamesRemapping at most 1000 entries;
 * - adapters and their fields: DataRobot's intake/output option pages and the Python client's settings.
 */
import { z } from 'zod';
import { NotSupportedError, ValidationError } from './errors.js';
import { CsvSettingsSchema } from './job-spec/csv-settings.js';
import { IntakeSettingsSchema } from './job-spec/intake-settings.js';
import { OutputSettingsSchema } from './job-spec/output-settings.js';
import { TimeseriesSettingsSchema } from './job-spec/timeseries-settings.js';
import { toFieldProblems } from './zod-problems.js';

export { type CsvSettings, CsvSettingsSchema, delimiterChar } from './job-spec/csv-settings.js';
export { type IntakeSettings, IntakeSettingsSchema, type IntakeType } from './job-spec/intake-settings.js';
export { type OutputSettings, OutputSettingsSchema, type OutputType } from './job-spec/output-settings.js';
export { type TimeseriesSettings, TimeseriesSettingsSchema } from './job-spec/timeseries-settings.js';

/** numConcurrent when the request leaves it out: what DataRobot echoes in its documented example. */
export const DEFAULT_NUM_CONCURRENT = 4;

const id = () => z.string().min(1);

const ColumnNamesRemappingSchema = z
  .union([
    z.record(z.string(), z.string().nullable()),
    z.array(z.strictObject({ inputName: z.string().min(1), outputName: z.string().nullable() })).max(1000),
  ])
  .describe('Output column renames: {original: newName | null} or [{inputName, outputName}]; null drops.');

const PredictionInstanceSchema = z.strictObject({
  hostName: id(),
  sslEnabled: z.boolean().default(true),
  apiKey: id().optional(),
  datarobotKey: id().optional(),
});

/**
 * The job spec's fields without its cross-field rules, for schemas that embed a job spec (job definitions
 * add name/enabled/schedule with `.extend()`, then `.superRefine(checkJobSpecRules)`).
 */
export const JobSpecFieldsSchema = z.strictObject({
  deploymentId: id().optional().describe('Deployment to score with (required unless modelId is given).'),
  modelId: id().optional().describe('[3.x client] Leaderboard model to score with instead of a deployment.'),
  modelPackageId: id().optional(),
  pinnedModelId: id().optional(),
  secondaryDatasetsConfigId: id().optional(),
  monitoringBatchPrefix: z.string().nullable().optional(),
  batchJobType: z.enum(['monitoring', 'prediction']).optional(),

  intakeSettings: IntakeSettingsSchema.prefault({ type: 'localFile' }),
  outputSettings: OutputSettingsSchema.prefault({ type: 'localFile' }),
  csvSettings: CsvSettingsSchema.prefault({}),
  timeseriesSettings: TimeseriesSettingsSchema.optional(),

  numConcurrent: z.int().min(1).default(DEFAULT_NUM_CONCURRENT).describe('Chunks scored at the same time.'),
  chunkSize: z
    .union([z.enum(['auto', 'fixed', 'dynamic']), z.int().min(20).max(41_943_040)])
    .default('auto')
    .describe('Chunking strategy, or a fixed chunk size in bytes.'),

  maxExplanations: z.int().min(0).max(100).default(0),
  maxNgramExplanations: z.union([z.int().min(0), z.literal('all')]).optional(),
  explanationAlgorithm: z.enum(['shap', 'xemp']).optional(),
  explanationNumTopClasses: z.int().min(1).max(10).optional(),
  explanationClassNames: z.array(z.string()).min(1).max(10).optional(),
  thresholdHigh: z.number().nullable().default(null),
  thresholdLow: z.number().nullable().default(null),

  predictionThreshold: z.number().min(0).max(1).nullable().optional(),
  predictionWarningEnabled: z.boolean().nullable().default(null),
  passthroughColumnsSet: z.literal('all').nullable().default(null),
  passthroughColumns: z.array(z.string()).max(100).nullable().default(null),
  includeProbabilities: z.boolean().default(true),
  includeProbabilitiesClasses: z.array(z.string()).max(100).default([]),
  includePredictionStatus: z.boolean().default(false),
  columnNamesRemapping: ColumnNamesRemappingSchema.default({}),

  abortOnError: z.boolean().default(true),
  disableRowLevelErrorHandling: z.boolean().default(false),
  skipDriftTracking: z.boolean().default(false),
  predictionInstance: PredictionInstanceSchema.optional(),
});

/** DataRobot's cross-field rules of a job spec, reported on the field a sender should change. */
export function checkJobSpecRules(spec: z.output<typeof JobSpecFieldsSchema>, ctx: z.RefinementCtx): void {
  if (spec.deploymentId === undefined && spec.modelId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['deploymentId'], message: 'required (or give modelId instead)' });
  }
  if (spec.passthroughColumnsSet === 'all' && spec.passthroughColumns !== null) {
    ctx.addIssue({
      code: 'custom',
      path: ['passthroughColumns'],
      message: 'cannot be combined with passthroughColumnsSet "all", which already passes every column',
    });
  }
  if (spec.explanationNumTopClasses !== undefined && spec.explanationClassNames !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['explanationClassNames'],
      message: 'cannot be combined with explanationNumTopClasses; give one of them',
    });
  }
  if (Array.isArray(spec.columnNamesRemapping)) {
    const seen = new Set<string>();
    spec.columnNamesRemapping.forEach(({ inputName }, index) => {
      if (seen.has(inputName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columnNamesRemapping', index, 'inputName'],
          message: `${JSON.stringify(inputName)} is remapped more than once`,
        });
      }
      seen.add(inputName);
    });
  }
}

/** The POST body of a batch prediction job: camelCase keys, unknown keys rejected, every default declared. */
export const JobSpecInputSchema = JobSpecFieldsSchema.superRefine(checkJobSpecRules);

/** A job spec as a client may send it. */
export type JobSpecInput = z.input<typeof JobSpecInputSchema>;
/** A job spec with every default filled, as the job echoes it in `jobSpec`. */
export type JobSpec = z.output<typeof JobSpecInputSchema>;

/**
 * Parses and normalizes a POST body; throws ValidationError listing every failing field by dotted path
 * (e.g. `intakeSettings.url`, `csvSettings.delimiter`, `passthroughColumns.3`), with messages that say
 * what was received and what is expected.
 */
export function parseJobSpec(body: unknown): JobSpec {
  const result = JobSpecInputSchema.safeParse(body, { reportInput: true });
  if (!result.success) throw new ValidationError(toFieldProblems(result.error));
  return result.data;
}

/**
 * Intake/output types the running build can execute; others are valid per schema but rejected at job
 * creation.
 */
export interface SupportedAdapters {
  readonly intake: readonly string[];
  readonly output: readonly string[];
}

/**
 * Rejects a valid spec whose intake or output adapter this build cannot run, with NotSupportedError on
 * `intakeSettings.type` / `outputSettings.type` naming the supported ones.
 */
export function assertSupported(spec: JobSpec, supported: SupportedAdapters): void {
  assertAdapterSupported('intakeSettings.type', 'intake', spec.intakeSettings.type, supported.intake);
  assertAdapterSupported('outputSettings.type', 'output', spec.outputSettings.type, supported.output);
}

function assertAdapterSupported(
  field: string,
  direction: 'intake' | 'output',
  type: string,
  supported: readonly string[],
): void {
  if (supported.includes(type)) return;
  const list = supported.length > 0 ? supported.join(', ') : 'none';
  throw new NotSupportedError(
    field,
    `${field}: ${JSON.stringify(type)} ${direction} is not supported yet; supported: ${list}`,
  );
}

/** Column remapping in one form: Map from original output name -> new name or null (drop). */
export function remappingOf(spec: Pick<JobSpec, 'columnNamesRemapping'>): ReadonlyMap<string, string | null> {
  const remapping = spec.columnNamesRemapping;
  if (Array.isArray(remapping)) {
    return new Map(remapping.map(({ inputName, outputName }) => [inputName, outputName]));
  }
  return new Map(Object.entries(remapping));
}
