/**
 * DataRobot's batch prediction job definitions (seed 002 "Job definitions", protocol §5): a stored job spec with a
 * `name` unique per owner, an `enabled` flag and an optional `schedule`, run on demand (`fromJobDefinition`) or by
 * the scheduler. The body is the job spec flattened at top level plus `name`, `enabled` and `schedule`; the Python
 * client sends `"schedule": {}` for "no schedule".
 *
 * Our extension: `trigger: {type: "s3Drop", prefix}` starts one job per object created under
 * `drops/<ownerId>/<prefix>` in the stack's bucket (docs/api.md, "S3-drop triggers").
 */
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { checkJobSpecRules, type JobSpec, JobSpecFieldsSchema } from './job-spec.js';
import { type Schedule, ScheduleSchema } from './schedule/schedule.js';
import { compileTemplate, templateFieldsOf } from './templates/template.js';
import { toFieldProblems } from './zod-problems.js';

/** DataRobot limits definition names to 100 characters. */
export const DEFINITION_NAME_MAX = 100;

/** Every S3-drop trigger watches a key prefix below this root, per owner: `drops/<ownerId>/<prefix>`. */
export const DROP_ROOT = 'drops/';

/** Skip entries kept on a definition; older ones are dropped. */
export const DEFINITION_LOG_LINES = 50;

/** An S3-drop trigger: each object created under the owner's drop prefix starts one job. */
export const DropTriggerSchema = z.strictObject({
  type: z.literal('s3Drop'),
  prefix: z
    .string()
    .min(1)
    .max(512)
    .regex(
      /^(?!\/)(?!.*\.\.)[A-Za-z0-9!_.*'()/-]+$/,
      "expected an S3 key prefix of letters, digits and !_.*'()/- (no leading slash, no ..)",
    )
    .describe('Key prefix below drops/<ownerId>/ in the stack bucket, e.g. "incoming/".'),
});
export type DropTrigger = z.infer<typeof DropTriggerSchema>;

/** `{}` (what the Python client sends without a schedule) and null both mean "no schedule". */
const ScheduleInputSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0
      ? null
      : value,
  ScheduleSchema.nullable(),
);

/**
 * The body of `POST batchPredictionJobDefinitions/`: the job spec fields at top level plus `name`, `enabled`,
 * `schedule` and our `trigger`. A PATCH is merged over the stored definition and validated with this too.
 */
export const JobDefinitionInputSchema = JobSpecFieldsSchema.extend({
  name: z
    .string()
    .trim()
    .min(1)
    .max(DEFINITION_NAME_MAX)
    .optional()
    .describe('Unique among the owner’s definitions; generated when absent.'),
  enabled: z.boolean().default(false).describe('Whether the scheduler (and the trigger) run it.'),
  schedule: ScheduleInputSchema.default(null).describe('When to run; {} or null for none.'),
  trigger: DropTriggerSchema.nullable().default(null).describe('[Batchline] Run per object dropped in S3.'),
}).superRefine(checkJobSpecRules);
export type JobDefinitionInput = z.input<typeof JobDefinitionInputSchema>;

/** A definition's settings as validated from a request: the normalized job spec and the control fields. */
export interface DefinitionSettings {
  readonly name: string | undefined;
  readonly enabled: boolean;
  readonly schedule: Schedule | null;
  readonly trigger: DropTrigger | null;
  readonly spec: JobSpec;
}

/**
 * Validates a create body (or a PATCH merged over the stored definition): the job spec's rules and every
 * template field (`intakeSettings.query`, `outputSettings.table`, `outputSettings.url`), so a bad template
 * fails here with its position rather than at the first run. Throws ValidationError naming the field.
 */
export function parseDefinitionSettings(body: unknown): DefinitionSettings {
  const result = JobDefinitionInputSchema.safeParse(body, { reportInput: true });
  if (!result.success) throw new ValidationError(toFieldProblems(result.error));
  const { name, enabled, schedule, trigger, ...spec } = result.data;
  for (const { field, source } of templateFieldsOf(spec)) compileTemplate(source, field);
  if (trigger !== null) checkTriggerIntake(spec, schedule);
  else if (enabled && schedule !== null) checkScheduledIntake(spec);
  return { name, enabled, schedule, trigger, spec };
}

/**
 * A triggered job's input is the dropped object, delivered as an upload would be, so the definition's intake is
 * `localFile` (its format and settings then apply to every object); its runs come from drops, not a schedule.
 */
function checkTriggerIntake(spec: JobSpec, schedule: Schedule | null): void {
  if (schedule !== null) {
    throw new ValidationError([
      { field: 'schedule', message: 'a definition runs on a schedule or on S3 drops (trigger), not both' },
    ]);
  }
  if (spec.intakeSettings.type !== 'localFile') {
    throw new ValidationError([
      {
        field: 'intakeSettings.type',
        message:
          'a definition with an s3Drop trigger scores each dropped object: use "localFile" (or leave it out)',
      },
    ]);
  }
}

/**
 * A scheduled run reads its input itself: a `localFile` job would wait for an upload no one makes, and the
 * definition's next runs would all be skipped behind it.
 */
function checkScheduledIntake(spec: JobSpec): void {
  if (spec.intakeSettings.type === 'localFile') {
    throw new ValidationError([
      {
        field: 'intakeSettings.type',
        message:
          'an enabled schedule needs an intake that scheduled runs can read (s3, jdbc, dataset…): localFile waits for an upload',
      },
    ]);
  }
}

/** The object key prefix an owner's trigger watches. */
export function dropKeyPrefix(ownerId: string, trigger: DropTrigger): string {
  return `${DROP_ROOT}${ownerId}/${trigger.prefix}`;
}

/** The owner whose drop area holds `key` (`drops/<ownerId>/…`), or null for a key outside every drop area. */
export function dropOwnerOf(key: string): string | null {
  if (!key.startsWith(DROP_ROOT)) return null;
  const owner = key.slice(DROP_ROOT.length).split('/')[0];
  return owner && key.length > DROP_ROOT.length + owner.length + 1 ? owner : null;
}

const timestamp = () => z.iso.datetime();

/** A job definition as stored. Run bookkeeping is updated by the runs; the rest by create and PATCH. */
export const JobDefinitionRecordSchema = z.strictObject({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  name: z.string().min(1),
  enabled: z.boolean(),
  schedule: ScheduleSchema.nullable(),
  trigger: DropTriggerSchema.nullable(),
  /** The normalized job spec (JobSpec), echoed as `batchPredictionJob`. */
  spec: z.unknown(),
  created: timestamp(),
  updated: timestamp(),
  updatedBy: z.string().min(1),
  /** Scheduled time of the latest scheduled run that started a job. */
  lastScheduledRunTime: timestamp().nullable(),
  /** The latest job started from this definition (any way), and when. */
  lastStartedJobId: z.string().nullable(),
  lastStartedJobTime: timestamp().nullable(),
  /** When the latest finished job of this definition ended, by outcome (recorded when the next run starts). */
  lastSuccessfulRunTime: timestamp().nullable(),
  lastFailedRunTime: timestamp().nullable(),
  /** Skipped runs and trigger problems, newest last, at most {@link DEFINITION_LOG_LINES}. */
  logs: z.array(z.string()),
});
export type JobDefinitionRecord = z.infer<typeof JobDefinitionRecordSchema>;

/** Run bookkeeping a run may set. */
export type DefinitionRunPatch = Partial<
  Pick<
    JobDefinitionRecord,
    | 'lastScheduledRunTime'
    | 'lastStartedJobId'
    | 'lastStartedJobTime'
    | 'lastSuccessfulRunTime'
    | 'lastFailedRunTime'
  >
>;

/** The record of a new definition: never run. */
export function newDefinitionRecord(
  fields: Pick<JobDefinitionRecord, 'id' | 'ownerId' | 'created'> & DefinitionSettings,
): JobDefinitionRecord {
  return {
    id: fields.id,
    ownerId: fields.ownerId,
    name: fields.name ?? `Job definition ${fields.id}`,
    enabled: fields.enabled,
    schedule: fields.schedule,
    trigger: fields.trigger,
    spec: fields.spec,
    created: fields.created,
    updated: fields.created,
    updatedBy: fields.ownerId,
    lastScheduledRunTime: null,
    lastStartedJobId: null,
    lastStartedJobTime: null,
    lastSuccessfulRunTime: null,
    lastFailedRunTime: null,
    logs: [],
  };
}

/** The definition's settings as a create body, for merging a PATCH over them. */
export function definitionAsInput(record: JobDefinitionRecord): Record<string, unknown> {
  return {
    ...(record.spec as Record<string, unknown>),
    name: record.name,
    enabled: record.enabled,
    schedule: record.schedule,
    trigger: record.trigger,
  };
}
