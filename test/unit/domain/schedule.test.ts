import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../../shared/domain/errors.js';
import {
  nextRunAfter,
  normalizeSchedule,
  parseSchedule,
  ScheduleSchema,
  toCronPattern,
} from '../../../shared/domain/schedule/schedule.js';
import { toFieldProblems } from '../../../shared/domain/zod-problems.js';

const DAILY = { minute: [0], hour: [1], dayOfMonth: ['*'], month: ['*'], dayOfWeek: ['*'] };

function problemsOf(body: unknown): { field: string; message: string }[] {
  try {
    parseSchedule(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).problems];
  }
  throw new Error('expected a ValidationError');
}

describe('ScheduleSchema', () => {
  it("accepts DataRobot's documented examples and keeps them as sent", () => {
    const documented = {
      minute: [15, 30, 45],
      hour: [12, 23],
      dayOfMonth: [1, 25],
      month: ['jan'],
      dayOfWeek: ['sun'],
    };
    expect(parseSchedule(documented)).toEqual(documented);
    expect(parseSchedule(DAILY)).toEqual(DAILY);
  });

  it('reads month and day names in any case, abbreviated or full', () => {
    const schedule = parseSchedule({
      ...DAILY,
      month: ['jan', 'October', 'DEC', 'february', 5],
      dayOfWeek: ['sunday', 'Sunday', 'sun', 'Sun', 'SAT', 3],
    });
    expect(normalizeSchedule(schedule)).toEqual({
      minutes: [0],
      hours: [1],
      daysOfMonth: '*',
      months: [1, 2, 5, 10, 12],
      daysOfWeek: [0, 3, 6],
    });
  });

  it.each([
    [{ ...DAILY, hour: [1, 24] }, 'hour.1', '24 is out of range 0-23'],
    [{ ...DAILY, minute: [60] }, 'minute.0', '60 is out of range 0-59'],
    [{ ...DAILY, dayOfMonth: [0] }, 'dayOfMonth.0', '0 is out of range 1-31'],
    [{ ...DAILY, month: [13] }, 'month.0', '13 is out of range 1-12'],
    [{ ...DAILY, dayOfWeek: [7] }, 'dayOfWeek.0', '7 is out of range 0-6'],
    [{ ...DAILY, minute: [1.5] }, 'minute.0', '1.5 is not a whole number'],
    [
      { ...DAILY, month: ['janu'] },
      'month.0',
      '"janu" is not 1-12, a name such as "jan" or "january", or "*"',
    ],
    [
      { ...DAILY, dayOfWeek: ['tues'] },
      'dayOfWeek.0',
      '"tues" is not 0-6, a name such as "sun" or "sunday", or "*"',
    ],
    [{ ...DAILY, hour: ['noon'] }, 'hour.0', '"noon" is not 0-23 or "*"'],
    [{ ...DAILY, hour: ['*', 3] }, 'hour.0', '"*" must be the only value of its field'],
    [{ ...DAILY, hour: [] }, 'hour', 'expected at least 1 item, received an array of 0 items'],
    [{ ...DAILY, hour: 3 }, 'hour', 'expected an array, received 3'],
    [{ ...DAILY, second: [0] }, 'second', 'unknown field'],
  ])('rejects %j on %s', (body, field, message) => {
    expect(problemsOf(body)).toContainEqual({ field, message });
  });

  it('reports a missing field by name', () => {
    const { dayOfWeek: _dropped, ...rest } = DAILY;
    expect(problemsOf(rest)).toEqual([{ field: 'dayOfWeek', message: 'required: expected an array' }]);
  });

  it('names the schedule field when embedded in a larger body', () => {
    const result = z
      .object({ schedule: ScheduleSchema })
      .safeParse({ schedule: { ...DAILY, hour: [1, 24] } });
    expect(result.error && toFieldProblems(result.error)).toEqual([
      { field: 'schedule.hour.1', message: '24 is out of range 0-23' },
    ]);
  });
});

describe('toCronPattern', () => {
  it('writes the 5-field croner pattern, keeping "*" in the day fields for the additive rule', () => {
    expect(toCronPattern(parseSchedule(DAILY))).toBe('0 1 * * *');
    expect(
      toCronPattern(
        parseSchedule({
          minute: ['*'],
          hour: [2, 1],
          dayOfMonth: [1, 15],
          month: ['mar', 1],
          dayOfWeek: ['fri'],
        }),
      ),
    ).toBe('* 1,2 1,15 1,3 5');
  });
});

describe('nextRunAfter (documented examples)', () => {
  it('runs on the 1st, 2nd, 3rd plus every Tuesday when both day fields are set', () => {
    const schedule = parseSchedule({
      minute: [0],
      hour: [16],
      dayOfMonth: [1, 2, 3],
      month: ['*'],
      dayOfWeek: ['tue'],
    });
    const runs: string[] = [];
    let at = new Date('2027-06-01T00:00:00Z'); // a Tuesday
    for (let i = 0; i < 7; i += 1) {
      const next = nextRunAfter(schedule, at);
      if (!next) break;
      runs.push(next.toISOString().slice(0, 10));
      at = next;
    }
    expect(runs).toEqual([
      '2027-06-01',
      '2027-06-02',
      '2027-06-03',
      '2027-06-08',
      '2027-06-15',
      '2027-06-22',
      '2027-06-29',
    ]);
  });

  it('runs only on the weekday when dayOfMonth is "*" (Tuesday the 2nd, 9th, ...)', () => {
    const schedule = parseSchedule({
      minute: [0],
      hour: [0],
      dayOfMonth: ['*'],
      month: ['*'],
      dayOfWeek: ['tuesday'],
    });
    expect(nextRunAfter(schedule, new Date('2027-03-01T00:00:00Z'))).toEqual(
      new Date('2027-03-02T00:00:00Z'),
    );
  });

  it('skips months that do not have the date (no February 31st)', () => {
    const schedule = parseSchedule({
      minute: [0],
      hour: [0],
      dayOfMonth: [31],
      month: ['jan', 'feb', 'mar'],
      dayOfWeek: ['*'],
    });
    expect(nextRunAfter(schedule, new Date('2027-01-31T00:00:00Z'))).toEqual(
      new Date('2027-03-31T00:00:00Z'),
    );
  });
});
