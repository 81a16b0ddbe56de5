/** The time range of a monitoring query, as the DataRobot client sends it (`start`/`end`, ISO with offset). */
import { ValidationError } from '../errors.js';
import { hourOf } from './bucket.js';

export interface Period {
  readonly start: Date;
  readonly end: Date;
}

/** DataRobot's default range when none is given: the last seven days. */
const DEFAULT_DAYS = 7;

/**
 * Parses `start`/`end` (either may be absent: end defaults to the next full hour, start to seven days before
 * end). Throws ValidationError naming the field for an unreadable time or start not before end.
 */
export function parsePeriod(start: string | undefined, end: string | undefined, now: Date): Period {
  const endAt = end === undefined ? nextHour(now) : parseTime('end', end);
  const startAt =
    start === undefined ? new Date(endAt.getTime() - DEFAULT_DAYS * 86_400_000) : parseTime('start', start);
  if (startAt.getTime() >= endAt.getTime()) {
    throw new ValidationError([{ field: 'start', message: 'must be before end' }]);
  }
  return { start: startAt, end: endAt };
}

function parseTime(field: string, value: string): Date {
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new ValidationError([{ field, message: `"${value}" is not an ISO-8601 date and time` }]);
  return new Date(t);
}

function nextHour(now: Date): Date {
  return new Date(Date.parse(hourOf(now)) + 3_600_000);
}
