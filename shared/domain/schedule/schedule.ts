/**
 * DataRobot's job-definition `schedule` ({minute, hour, dayOfMonth, month, dayOfWeek}) and when it fires.
 *
 * The rules, from DataRobot's Python-client guide ("The schedule payload") and the REST guide on scheduling:
 * - each field is `["*"]` ("every") or a list of values: minute 0-59, hour 0-23, dayOfMonth 1-31,
 *   month 1-12 or names, dayOfWeek 0-6 (Sunday = 0) or names;
 * - month and day names: 3-letter abbreviations or full names, in any case ("jan", "October", "Sun");
 * - dayOfMonth and dayOfWeek are additive when both are restricted (1st, 2nd, 3rd plus every Tuesday); when
 *   one is `["*"]`, only the other one restricts the days;
 * - impossible dates (February 31st) are skipped.
 * All times are UTC. Firing is computed by croner (its default `legacyMode` gives the same day rule), never
 * by hand-written date arithmetic.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { toFieldProblems } from '../zod-problems.js';

const EVERY = '*';

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

interface FieldRule {
  readonly min: number;
  readonly max: number;
  /** Names in value order starting at `min`; each also matches by its first three letters. */
  readonly names?: readonly string[];
}

const FIELD_RULES = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTH_NAMES },
  dayOfWeek: { min: 0, max: 6, names: DAY_NAMES },
} as const satisfies Record<string, FieldRule>;

type FieldName = keyof typeof FIELD_RULES;

/** One schedule value as written: a number, a name (months, days) or "*"; null when it is none of them. */
function readValue(item: number | string, rule: FieldRule): number | typeof EVERY | null {
  if (typeof item === 'number') return item;
  if (item === EVERY) return EVERY;
  const name = item.toLowerCase();
  const index = rule.names?.findIndex((full) => full === name || full.slice(0, 3) === name) ?? -1;
  return index >= 0 ? rule.min + index : null;
}

function fieldSchema(rule: FieldRule) {
  const size = rule.max - rule.min + 1;
  const allowed = rule.names
    ? `${rule.min}-${rule.max}, a name such as ${JSON.stringify(rule.names[0]?.slice(0, 3))} or ${JSON.stringify(rule.names[0])}, or "*"`
    : `${rule.min}-${rule.max} or "*"`;
  return z
    .array(z.union([z.number(), z.string()]))
    .min(1)
    .max(size)
    .superRefine((items, ctx) => {
      items.forEach((item, index) => {
        const value = readValue(item, rule);
        if (value === EVERY) {
          if (items.length > 1) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: '"*" must be the only value of its field',
            });
          }
        } else if (value === null) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `${JSON.stringify(item)} is not ${allowed}`,
          });
        } else if (!Number.isInteger(value)) {
          ctx.addIssue({ code: 'custom', path: [index], message: `${value} is not a whole number` });
        } else if (value < rule.min || value > rule.max) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `${value} is out of range ${rule.min}-${rule.max}`,
          });
        }
      });
    });
}

/**
 * DataRobot's `schedule` object. Kept as sent (names stay names) so a definition echoes it back unchanged;
 * `normalizeSchedule` gives the numeric form.
 */
export const ScheduleSchema = z.strictObject({
  minute: fieldSchema(FIELD_RULES.minute).describe('Minutes of the hour: ["*"] or 0-59.'),
  hour: fieldSchema(FIELD_RULES.hour).describe('Hours of the day (UTC): ["*"] or 0-23.'),
  dayOfMonth: fieldSchema(FIELD_RULES.dayOfMonth).describe(
    'Days of the month: ["*"] or 1-31; additive with dayOfWeek.',
  ),
  month: fieldSchema(FIELD_RULES.month).describe('Months: ["*"], 1-12, or names ("jan", "october").'),
  dayOfWeek: fieldSchema(FIELD_RULES.dayOfWeek).describe(
    'Days of the week: ["*"], 0-6 (Sunday = 0), or names ("sun", "Sunday"); additive with dayOfMonth.',
  ),
});

export type Schedule = z.infer<typeof ScheduleSchema>;

/** Parses a `schedule` body; throws ValidationError naming each bad value (`hour.1: 24 is out of range 0-23`). */
export function parseSchedule(body: unknown): Schedule {
  const result = ScheduleSchema.safeParse(body, { reportInput: true });
  if (!result.success) throw new ValidationError(toFieldProblems(result.error));
  return result.data;
}

/**
 * A schedule as sorted, de-duplicated numbers. Minutes, hours and months list every value for "*"; the two
 * day fields keep "*" apart, because "*" there is not the same as listing every day (it does not take part in
 * the additive rule).
 */
export interface NormalizedSchedule {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[] | typeof EVERY;
  readonly months: readonly number[];
  readonly daysOfWeek: readonly number[] | typeof EVERY;
}

/** The numeric form of a valid schedule (see NormalizedSchedule). */
export function normalizeSchedule(schedule: Schedule): NormalizedSchedule {
  return {
    minutes: allIfEvery(valuesOf(schedule, 'minute'), FIELD_RULES.minute),
    hours: allIfEvery(valuesOf(schedule, 'hour'), FIELD_RULES.hour),
    daysOfMonth: valuesOf(schedule, 'dayOfMonth'),
    months: allIfEvery(valuesOf(schedule, 'month'), FIELD_RULES.month),
    daysOfWeek: valuesOf(schedule, 'dayOfWeek'),
  };
}

function valuesOf(schedule: Schedule, field: FieldName): number[] | typeof EVERY {
  const values = new Set<number>();
  for (const item of schedule[field]) {
    const value = readValue(item, FIELD_RULES[field]);
    if (value === EVERY) return EVERY;
    if (value === null)
      throw new ValidationError([{ field, message: `${JSON.stringify(item)} is not valid` }]);
    values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function allIfEvery(values: number[] | typeof EVERY, rule: FieldRule): number[] {
  if (values !== EVERY) return values;
  return Array.from({ length: rule.max - rule.min + 1 }, (_, index) => rule.min + index);
}

/**
 * The schedule as a 5-field cron pattern for croner (`minute hour day-of-month month day-of-week`, Sunday = 0).
 * Croner's default legacyMode ORs the two day fields when neither is "*", which is DataRobot's additive rule;
 * run it in UTC (`new Cron(pattern, { timezone: 'UTC' }, ...)`).
 */
export function toCronPattern(schedule: Schedule): string {
  const fields: FieldName[] = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'];
  return fields
    .map((field) => {
      const values = valuesOf(schedule, field);
      return values === EVERY ? EVERY : values.join(',');
    })
    .join(' ');
}

const MINUTE = 60_000;
/**
 * Longest gap between two fire times: a February 29th schedule skips 2100, so 8 years (and a bit of slack).
 */
const MAX_LOOKBACK = 9 * 366 * 24 * 60 * MINUTE;

/** The last day each month can have (February 29th in leap years). */
const LONGEST_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The months among `months` in which at least one of the dates `days` exists (in some year). */
export function monthsHoldingAnyOf(days: readonly number[], months: readonly number[]): number[] {
  const earliest = Math.min(...days);
  return months.filter((month) => earliest <= (LONGEST_MONTH_DAYS[month - 1] ?? 0));
}

/**
 * False for schedules that can never fire (only dates no chosen month has, like February 30th), which
 * DataRobot accepts and ignores; croner would search such a pattern up to the year 3000 and can exhaust
 * the stack doing so.
 */
function canFire({ daysOfMonth, months, daysOfWeek }: NormalizedSchedule): boolean {
  if (daysOfMonth === EVERY || daysOfWeek !== EVERY) return true;
  return monthsHoldingAnyOf(daysOfMonth, months).length > 0;
}

function cronOf(schedule: Schedule): Cron | null {
  if (!canFire(normalizeSchedule(schedule))) return null;
  return new Cron(toCronPattern(schedule), { timezone: 'UTC', legacyMode: true, paused: true });
}

/** DataRobot semantics (UTC), incl. dayOfMonth + dayOfWeek together being additive. Strictly after `after`. */
export function nextRunAfter(schedule: Schedule, after: Date): Date | null {
  return cronOf(schedule)?.nextRun(after) ?? null;
}

/**
 * The schedule's latest fire time at or before `at` (UTC), or null when it never fired before.
 *
 * Croner only searches forward, so this widens a window back from `at` until it holds a fire time, then
 * narrows (binary search over whole minutes) to the latest window start whose next fire time is still <= at.
 */
export function previousRunAtOrBefore(schedule: Schedule, at: Date): Date | null {
  const cron = cronOf(schedule);
  if (cron === null) return null;
  const end = Math.floor(at.getTime() / MINUTE) * MINUTE;
  const firesBy = (start: number): Date | null => {
    const next = cron.nextRun(new Date(start - 1));
    return next !== null && next.getTime() <= end ? next : null;
  };
  let span = MINUTE;
  while (firesBy(end - span) === null) {
    if (span >= MAX_LOOKBACK) return null;
    span *= 4;
  }
  // Invariant: a fire time lies in [low, end]; none lies in [high, end] once high > the answer.
  let low = end - span;
  let high = end + MINUTE;
  while (high - low > MINUTE) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if (firesBy(middle) === null) high = middle;
    else low = middle;
  }
  return firesBy(low);
}
