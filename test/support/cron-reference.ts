/**
 * Reference evaluators for the schedule tests, written from the documents alone and sharing no code with
 * shared/domain/schedule (nor with croner):
 * - DataRobot's schedule semantics, from the Python client guide's "schedule payload" table;
 * - Amazon EventBridge cron expressions, from the EventBridge "Cron expressions reference".
 * Both answer "does this UTC calendar day fire?" and "at which minutes of that day?"; the tests walk days and
 * compare.
 */

/** One UTC calendar day. */
export interface CalendarDay {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  /** 1-31 */
  readonly day: number;
  /** 0-6, Sunday = 0 */
  readonly weekday: number;
  /** UTC midnight, ms since the epoch */
  readonly start: number;
}

/** Something that fires on some days, at the same minutes of each such day. */
export interface DailyEvaluator {
  firesOn(day: CalendarDay): boolean;
  /** Sorted minutes of the day (hour * 60 + minute). */
  readonly minutesOfDay: readonly number[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The UTC calendar day holding `time` (ms since the epoch). */
export function calendarDayAt(time: number): CalendarDay {
  const start = Math.floor(time / DAY_MS) * DAY_MS;
  const date = new Date(start);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
    start,
  };
}

/** Every UTC day from `from` (inclusive) to `to` (exclusive). */
export function* daysBetween(from: Date, to: Date): Generator<CalendarDay> {
  for (let time = from.getTime(); time < to.getTime(); time += DAY_MS) yield calendarDayAt(time);
}

function product(hours: ReadonlySet<number>, minutes: ReadonlySet<number>): number[] {
  const result: number[] = [];
  for (const hour of [...hours].sort((a, b) => a - b)) {
    for (const minute of [...minutes].sort((a, b) => a - b)) result.push(hour * 60 + minute);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// DataRobot

const DR_MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DR_MONTHS_FULL = [
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
];
const DR_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DR_DAYS_FULL = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** A DataRobot schedule as the API receives it. */
export interface RawSchedule {
  minute: (number | string)[];
  hour: (number | string)[];
  dayOfMonth: (number | string)[];
  month: (number | string)[];
  dayOfWeek: (number | string)[];
}

/** null = "*" (every); otherwise the set of numeric values. */
function drField(
  items: (number | string)[],
  short: string[] = [],
  full: string[] = [],
  base = 0,
): Set<number> | null {
  if (items.length === 1 && items[0] === '*') return null;
  const values = new Set<number>();
  for (const item of items) {
    if (typeof item === 'number') {
      values.add(item);
      continue;
    }
    const name = item.toLowerCase();
    const index = short.includes(name) ? short.indexOf(name) : full.indexOf(name);
    if (index < 0) throw new Error(`reference: unknown name ${item}`);
    values.add(index + base);
  }
  return values;
}

/** DataRobot's semantics: day-of-month and day-of-week are additive; "*" in one leaves only the other. */
export function dataRobotEvaluator(schedule: RawSchedule): DailyEvaluator {
  const minutes = drField(schedule.minute) ?? new Set(Array.from({ length: 60 }, (_, i) => i));
  const hours = drField(schedule.hour) ?? new Set(Array.from({ length: 24 }, (_, i) => i));
  const months = drField(schedule.month, DR_MONTHS, DR_MONTHS_FULL, 1);
  const dates = drField(schedule.dayOfMonth);
  const weekdays = drField(schedule.dayOfWeek, DR_DAYS, DR_DAYS_FULL, 0);
  return {
    minutesOfDay: product(hours, minutes),
    firesOn(day) {
      if (months !== null && !months.has(day.month)) return false;
      if (dates === null && weekdays === null) return true;
      if (dates === null) return weekdays?.has(day.weekday) ?? false;
      if (weekdays === null) return dates.has(day.day);
      return dates.has(day.day) || weekdays.has(day.weekday);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// EventBridge

const EB_MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const EB_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * One field of an EventBridge cron: `*`, `?` (day fields), lists, ranges, `/` increments and names.
 * `L`, `W` and `#` are rejected as bad values: the translation never writes them.
 */
function ebField(
  text: string,
  min: number,
  max: number,
  names: string[] = [],
  nameBase = min,
): Set<number> | '?' {
  if (text === '?') return '?';
  const number = (token: string): number => {
    const index = names.indexOf(token.toUpperCase());
    const value = index >= 0 ? index + nameBase : Number(token);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`reference: bad value ${token}`);
    return value;
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [low, high] = [min, max];
    if (range !== '*') {
      const [first = '', last] = range.split('-');
      low = number(first);
      high = last === undefined ? (stepText === undefined ? low : max) : number(last);
    }
    if (high < low || !(step >= 1)) throw new Error(`reference: bad part ${part}`);
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

/** Parses `cron(minutes hours day-of-month month day-of-week year)` as EventBridge reads it. */
export function eventBridgeEvaluator(expression: string): DailyEvaluator {
  const match = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!match) throw new Error(`reference: not a six-field cron expression: ${expression}`);
  const [, m = '', h = '', dom = '', mon = '', dow = '', year = ''] = match;
  const minutes = ebField(m, 0, 59);
  const hours = ebField(h, 0, 23);
  const dates = ebField(dom, 1, 31);
  const months = ebField(mon, 1, 12, EB_MONTHS, 1);
  const weekdays = ebField(dow, 1, 7, EB_DAYS, 1);
  const years = ebField(year, 1970, 2199);
  if (minutes === '?' || hours === '?' || months === '?' || years === '?') {
    throw new Error(`reference: "?" outside the day fields: ${expression}`);
  }
  if ((dates === '?') === (weekdays === '?')) {
    throw new Error(`reference: exactly one of day-of-month and day-of-week must be "?": ${expression}`);
  }
  return {
    minutesOfDay: product(hours, minutes),
    firesOn(day) {
      if (!years.has(day.year) || !months.has(day.month)) return false;
      return dates === '?' ? weekdays !== '?' && weekdays.has(day.weekday + 1) : dates.has(day.day);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Walking fire times

/** The first fire time strictly after `after`, scanning at most `maxDays` days; null when none. */
export function referenceNextAfter(evaluator: DailyEvaluator, after: Date, maxDays = 9 * 366): Date | null {
  const first = calendarDayAt(after.getTime());
  for (let index = 0; index <= maxDays; index += 1) {
    const day = calendarDayAt(first.start + index * DAY_MS);
    if (!evaluator.firesOn(day)) continue;
    const minute = evaluator.minutesOfDay.find((m) => day.start + m * MINUTE_MS > after.getTime());
    if (minute !== undefined) return new Date(day.start + minute * MINUTE_MS);
  }
  return null;
}

/** The last fire time at or before `at`, scanning back at most `maxDays` days; null when none. */
export function referencePreviousAtOrBefore(
  evaluator: DailyEvaluator,
  at: Date,
  maxDays = 9 * 366,
): Date | null {
  const first = calendarDayAt(at.getTime());
  for (let index = 0; index <= maxDays; index += 1) {
    const day = calendarDayAt(first.start - index * DAY_MS);
    if (!evaluator.firesOn(day)) continue;
    const minute = evaluator.minutesOfDay.findLast((m) => day.start + m * MINUTE_MS <= at.getTime());
    if (minute !== undefined) return new Date(day.start + minute * MINUTE_MS);
  }
  return null;
}
