/**
 * The parts of Python's `datetime` that template authors use, for naive UTC datetimes (DataRobot's values come
 * from `datetime.utcnow()`, so they carry no time zone: `%z` and `%Z` are empty, `isoformat()` has no offset).
 * Formatting follows CPython on glibc in the C locale.
 */

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAY_MS = 86_400_000;

const pad = (value: number, width = 2, fill = '0') => String(value).padStart(width, fill);

/** Day of the year, 1-366. */
function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** Week of the year with weeks starting on `firstDay` (0 Sunday, 1 Monday); days before the first such day are week 0. */
function weekOfYear(date: Date, firstDay: 0 | 1): number {
  const weekday = (date.getUTCDay() - firstDay + 7) % 7;
  return Math.floor((dayOfYear(date) - 1 - weekday + 7) / 7);
}

/** ISO 8601 week-numbering year and week (weeks start Monday; week 1 holds the year's first Thursday). */
function isoWeek(date: Date): { year: number; week: number } {
  const isoWeekday = date.getUTCDay() || 7;
  const thursday = new Date(date.getTime() + (4 - isoWeekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  return { year, week: Math.floor((dayOfYear(thursday) - 1) / 7) + 1 };
}

const DIRECTIVES: Record<string, (date: Date) => string> = {
  a: (d) => (DAY_NAMES[d.getUTCDay()] ?? '').slice(0, 3),
  A: (d) => DAY_NAMES[d.getUTCDay()] ?? '',
  w: (d) => String(d.getUTCDay()),
  u: (d) => String(d.getUTCDay() || 7),
  d: (d) => pad(d.getUTCDate()),
  e: (d) => pad(d.getUTCDate(), 2, ' '),
  b: (d) => (MONTH_NAMES[d.getUTCMonth()] ?? '').slice(0, 3),
  h: (d) => (MONTH_NAMES[d.getUTCMonth()] ?? '').slice(0, 3),
  B: (d) => MONTH_NAMES[d.getUTCMonth()] ?? '',
  m: (d) => pad(d.getUTCMonth() + 1),
  y: (d) => pad(d.getUTCFullYear() % 100),
  Y: (d) => String(d.getUTCFullYear()),
  C: (d) => pad(Math.floor(d.getUTCFullYear() / 100)),
  H: (d) => pad(d.getUTCHours()),
  I: (d) => pad(d.getUTCHours() % 12 || 12),
  p: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  M: (d) => pad(d.getUTCMinutes()),
  S: (d) => pad(d.getUTCSeconds()),
  f: (d) => pad(d.getUTCMilliseconds() * 1000, 6),
  z: () => '',
  Z: () => '',
  j: (d) => pad(dayOfYear(d), 3),
  U: (d) => pad(weekOfYear(d, 0)),
  W: (d) => pad(weekOfYear(d, 1)),
  G: (d) => String(isoWeek(d).year),
  V: (d) => pad(isoWeek(d).week),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  c: (d) => strftime(d, '%a %b %e %H:%M:%S %Y'),
  x: (d) => strftime(d, '%m/%d/%y'),
  X: (d) => strftime(d, '%H:%M:%S'),
  D: (d) => strftime(d, '%m/%d/%y'),
  F: (d) => strftime(d, '%Y-%m-%d'),
  T: (d) => strftime(d, '%H:%M:%S'),
  R: (d) => strftime(d, '%H:%M'),
  '%': () => '%',
};

/** The supported `strftime` directives, for error messages. */
export const STRFTIME_DIRECTIVES = Object.keys(DIRECTIVES).map((letter) => `%${letter}`);

/** The index in `format` of the first directive strftime does not know (or of a trailing `%`), or -1. */
export function firstUnknownDirective(format: string): number {
  for (let index = 0; index < format.length; index += 1) {
    if (format[index] !== '%') continue;
    const letter = format[index + 1];
    if (letter === undefined || !(letter in DIRECTIVES)) return index;
    index += 1;
  }
  return -1;
}

/** Python's `datetime.strftime` on a naive UTC datetime; `format` must have passed `firstUnknownDirective`. */
export function strftime(date: Date, format: string): string {
  return format.replace(/%(.)/g, (directive, letter: string) => DIRECTIVES[letter]?.(date) ?? directive);
}

/** Python's `datetime.isoformat(sep)` for a naive datetime without microseconds. */
export function isoformat(date: Date, sep = 'T'): string {
  return `${strftime(date, '%Y-%m-%d')}${sep}${strftime(date, '%H:%M:%S')}`;
}

/** Python's `repr` of a float that holds a whole number of seconds (what `timestamp()` prints), e.g. `1620129600.0`. */
export function timestampText(date: Date): string {
  const seconds = date.getTime() / 1000;
  return Number.isInteger(seconds) ? `${seconds}.0` : String(seconds);
}

/** The same instant without its sub-second part: DataRobot strips microseconds from the values it renders. */
export function toWholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Midnight (UTC) of the date's day: Python's `datetime.date()`, kept as a Date. */
export function toDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}
