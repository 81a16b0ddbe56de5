/**
 * Proof that the EventBridge Scheduler translation and croner-based firing match DataRobot's schedule semantics.
 * Schedules are generated from a seeded RNG; the DataRobot and EventBridge evaluators in
 * test/support/cron-reference.ts are written independently of the code under test.
 */
import { describe, expect, it } from 'vitest';
import {
  nextRunAfter,
  parseSchedule,
  previousRunAtOrBefore,
  type Schedule,
} from '../../../shared/domain/schedule/schedule.js';
import {
  SCHEDULER_EXPRESSION_MAX_LENGTH,
  toSchedulerExpressions,
} from '../../../shared/domain/schedule/scheduler-expressions.js';
import {
  type DailyEvaluator,
  dataRobotEvaluator,
  daysBetween,
  eventBridgeEvaluator,
  type RawSchedule,
  referenceNextAfter,
  referencePreviousAtOrBefore,
} from '../../support/cron-reference.js';

// Two years around a leap day (2028-02-29) and through every month twice.
const FROM = new Date('2027-06-01T00:00:00Z');
const TO = new Date('2029-06-01T00:00:00Z');

/** mulberry32: small, seeded, good enough to spread test cases. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_FULL = [
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
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_FULL = ['Sunday', 'MONDAY', 'tuesday', 'Wednesday', 'THURSDAY', 'Friday', 'saturday'];

function generateField(
  random: () => number,
  min: number,
  max: number,
  options: { star: number; maxItems: number; names?: { short: string[]; full: string[] } },
): (number | string)[] {
  const roll = random();
  if (roll < options.star) return ['*'];
  const all = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  let values: number[];
  if (roll < options.star + 0.05) {
    values = all; // every value listed explicitly (not "*": matters for the additive day rule)
  } else if (roll < options.star + 0.15) {
    const start = min + Math.floor(random() * (max - min + 1));
    const length = 1 + Math.floor(random() * 6);
    values = all.filter((v) => v >= start && v < start + length); // a run, written as a range
  } else {
    const count = 1 + Math.floor(random() * options.maxItems);
    values = all.filter(() => random() < count / all.length);
    if (values.length === 0) values = [all[Math.floor(random() * all.length)] ?? min];
  }
  const names = options.names;
  if (!names) return values;
  return values.map((value) => {
    const pick = random();
    const index = value - min;
    if (pick < 0.3) return names.short[index] ?? value;
    if (pick < 0.5) return names.full[index] ?? value;
    if (pick < 0.6) return (names.short[index] ?? '').toUpperCase() || value;
    return value;
  });
}

function generateSchedule(random: () => number): RawSchedule {
  return {
    minute: generateField(random, 0, 59, { star: 0.05, maxItems: 4 }),
    hour: generateField(random, 0, 23, { star: 0.1, maxItems: 4 }),
    dayOfMonth: generateField(random, 1, 31, { star: 0.35, maxItems: 5 }),
    month: generateField(random, 1, 12, {
      star: 0.4,
      maxItems: 4,
      names: { short: MONTH_NAMES, full: MONTH_FULL },
    }),
    dayOfWeek: generateField(random, 0, 6, {
      star: 0.4,
      maxItems: 3,
      names: { short: DAY_NAMES, full: DAY_FULL },
    }),
  };
}

/** Hand-picked edges on top of the random ones. */
const EDGE_CASES: RawSchedule[] = [
  { minute: ['*'], hour: ['*'], dayOfMonth: ['*'], month: ['*'], dayOfWeek: ['*'] },
  { minute: [0], hour: [16], dayOfMonth: [1], month: ['*'], dayOfWeek: [1] }, // seed 002's example
  { minute: [0], hour: [0], dayOfMonth: [29], month: ['feb'], dayOfWeek: ['*'] }, // leap day only
  { minute: [0], hour: [0], dayOfMonth: [30, 31], month: ['feb'], dayOfWeek: ['*'] }, // never
  { minute: [0], hour: [0], dayOfMonth: [30, 31], month: ['feb'], dayOfWeek: ['sun'] }, // Sundays of February
  { minute: [5], hour: [5], dayOfMonth: [31], month: ['*'], dayOfWeek: ['*'] }, // 31st: seven months
  { minute: [5], hour: [5], dayOfMonth: [31], month: ['apr', 'june', 'Sep', 11], dayOfWeek: ['*'] }, // never
  { minute: [59], hour: [23], dayOfMonth: ['*'], month: ['*'], dayOfWeek: ['saturday'] },
  { minute: [0], hour: [12], dayOfMonth: [1, 2, 3], month: ['*'], dayOfWeek: ['tue'] }, // 1st-3rd plus Tuesdays
  {
    minute: [0],
    hour: [12],
    dayOfMonth: Array.from({ length: 31 }, (_, i) => i + 1),
    month: ['*'],
    dayOfWeek: [2],
  },
  { minute: [0], hour: [12], dayOfMonth: [13], month: ['*'], dayOfWeek: [0, 1, 2, 3, 4, 5, 6] },
  { minute: [0, 30], hour: [0, 1, 2, 3, 9], dayOfMonth: [29], month: [2], dayOfWeek: [5] }, // Feb 29 or Fridays
];

const random = rng(20_260_525);
const SCHEDULES: RawSchedule[] = [
  ...EDGE_CASES,
  ...Array.from({ length: 400 }, () => generateSchedule(random)),
];

/** For each day of [FROM, TO), the minutes that fire, as a comparable key ("" when none). */
function firingByDay(evaluators: readonly DailyEvaluator[]): string[] {
  const keyCache = new Map<string, string>();
  const keys: string[] = [];
  for (const day of daysBetween(FROM, TO)) {
    const firing = evaluators
      .map((evaluator, index) => (evaluator.firesOn(day) ? index : -1))
      .filter((i) => i >= 0);
    const mask = firing.join(',');
    let key = keyCache.get(mask);
    if (key === undefined) {
      const minutes = new Set(firing.flatMap((index) => evaluators[index]?.minutesOfDay ?? []));
      key = [...minutes].sort((a, b) => a - b).join(',');
      keyCache.set(mask, key);
    }
    keys.push(key);
  }
  return keys;
}

function firstDifference(actual: string[], expected: string[]): string | null {
  const index = actual.findIndex((key, i) => key !== expected[i]);
  if (index < 0) return null;
  const day = new Date(FROM.getTime() + index * 86_400_000).toISOString().slice(0, 10);
  return `${day}: expressions fire at minutes [${actual[index]}], DataRobot at [${expected[index]}]`;
}

/**
 * The subset of min..max whose cron list is longest, found exactly by dynamic programming over "include this
 * value or not", costing lists the way a cron list is written: a run of three or more values as `a-b`, shorter
 * runs value by value, parts joined by commas. Fields are independent, so the longest expression is built from
 * each field's longest list.
 */
function longestList(min: number, max: number): number[] {
  const width = (value: number) => String(value).length;
  // Cost of a closed run [start, end], with one trailing comma per part (one comma too many overall).
  const runCost = (start: number, end: number): number => {
    if (end - start >= 2) return width(start) + 1 + width(end) + 1;
    let cost = 0;
    for (let value = start; value <= end; value += 1) cost += width(value) + 1;
    return cost;
  };
  const memo = new Map<string, { cost: number; values: number[] }>();
  // Best continuation at `value`, with an open run starting at `runStart` (null: no open run).
  const best = (value: number, runStart: number | null): { cost: number; values: number[] } => {
    const key = `${value}:${runStart}`;
    const known = memo.get(key);
    if (known) return known;
    const close = runStart === null ? 0 : runCost(runStart, value - 1);
    let result: { cost: number; values: number[] };
    if (value > max) {
      result = { cost: close, values: [] };
    } else {
      const skip = best(value + 1, null);
      const take = best(value + 1, runStart ?? value);
      result =
        take.cost >= close + skip.cost
          ? { cost: take.cost, values: [value, ...take.values] }
          : { cost: close + skip.cost, values: skip.values };
    }
    memo.set(key, result);
    return result;
  };
  return best(min, null).values;
}

describe('EventBridge Scheduler translation', () => {
  it(`fires at exactly DataRobot's times over two years, for ${SCHEDULES.length} generated schedules`, () => {
    let expressionsWritten = 0;
    let firingDays = 0;
    for (const raw of SCHEDULES) {
      const schedule: Schedule = parseSchedule(raw);
      const expressions = toSchedulerExpressions(schedule);
      expressionsWritten += expressions.length;
      const actual = firingByDay(expressions.map(eventBridgeEvaluator));
      const expected = firingByDay([dataRobotEvaluator(raw)]);
      firingDays += expected.filter((key) => key !== '').length;
      const difference = firstDifference(actual, expected);
      expect(difference, `${JSON.stringify(raw)} -> ${JSON.stringify(expressions)}`).toBeNull();
    }
    // The generator must have produced real work: many firing days, and both-day schedules (two expressions).
    expect(firingDays).toBeGreaterThan(SCHEDULES.length * 50);
    expect(expressionsWritten).toBeGreaterThan(SCHEDULES.length * 1.1);
  });

  it('writes one expression per restricted day field, and none for a schedule that can never fire', () => {
    const count = (raw: RawSchedule) => toSchedulerExpressions(parseSchedule(raw)).length;
    expect(count({ minute: [0], hour: [1], dayOfMonth: ['*'], month: ['*'], dayOfWeek: ['*'] })).toBe(1);
    expect(count({ minute: [0], hour: [1], dayOfMonth: [1], month: ['*'], dayOfWeek: ['*'] })).toBe(1);
    expect(count({ minute: [0], hour: [1], dayOfMonth: ['*'], month: ['*'], dayOfWeek: ['mon'] })).toBe(1);
    expect(count({ minute: [0], hour: [1], dayOfMonth: [1], month: ['*'], dayOfWeek: ['mon'] })).toBe(2);
    expect(count({ minute: [0], hour: [1], dayOfMonth: [30], month: ['feb'], dayOfWeek: ['*'] })).toBe(0);
  });

  it("writes EventBridge's own syntax: `?` in the other day field, SUN = 1, ranges for runs", () => {
    const schedule = parseSchedule({
      minute: [0, 15, 30, 45],
      hour: [9, 10, 11, 12, 17],
      dayOfMonth: [1, 2, 3],
      month: ['*'],
      dayOfWeek: ['sun', 'saturday'],
    });
    expect(toSchedulerExpressions(schedule)).toEqual([
      'cron(0,15,30,45 9-12,17 1-3 * ? *)',
      'cron(0,15,30,45 9-12,17 ? * 1,7 *)',
    ]);
  });

  it(`never writes an expression longer than Scheduler's ${SCHEDULER_EXPRESSION_MAX_LENGTH} characters`, () => {
    const worst = parseSchedule({
      minute: longestList(0, 59),
      hour: longestList(0, 23),
      dayOfMonth: longestList(1, 31),
      month: longestList(1, 12),
      dayOfWeek: longestList(0, 6),
    });
    const lengths = toSchedulerExpressions(worst).map((expression) => expression.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(SCHEDULER_EXPRESSION_MAX_LENGTH);
    for (const raw of SCHEDULES) {
      for (const expression of toSchedulerExpressions(parseSchedule(raw))) {
        expect(expression.length).toBeLessThanOrEqual(Math.max(...lengths));
      }
    }
  });
});

describe('nextRunAfter and previousRunAtOrBefore', () => {
  const span = TO.getTime() - FROM.getTime();

  it('agree with the independent DataRobot evaluator at random instants', () => {
    const pick = rng(7);
    for (const raw of SCHEDULES) {
      const schedule = parseSchedule(raw);
      const reference = dataRobotEvaluator(raw);
      for (let sample = 0; sample < 5; sample += 1) {
        const at = new Date(FROM.getTime() + Math.floor(pick() * span));
        expect(
          nextRunAfter(schedule, at),
          `next after ${at.toISOString()} for ${JSON.stringify(raw)}`,
        ).toEqual(referenceNextAfter(reference, at));
      }
    }
    for (const raw of SCHEDULES.slice(0, 80)) {
      const schedule = parseSchedule(raw);
      const reference = dataRobotEvaluator(raw);
      const at = new Date(FROM.getTime() + Math.floor(pick() * span));
      expect(
        previousRunAtOrBefore(schedule, at),
        `previous at ${at.toISOString()} for ${JSON.stringify(raw)}`,
      ).toEqual(referencePreviousAtOrBefore(reference, at));
    }
  });

  it('step through consecutive runs exactly (next is strictly after, previous includes the instant)', () => {
    const schedule = parseSchedule({
      minute: [0, 30],
      hour: [6],
      dayOfMonth: [1],
      month: ['*'],
      dayOfWeek: ['fri'],
    });
    const reference = dataRobotEvaluator(schedule);
    let at = FROM;
    for (let step = 0; step < 200; step += 1) {
      const next = nextRunAfter(schedule, at);
      expect(next).toEqual(referenceNextAfter(reference, at));
      if (next === null) break;
      expect(previousRunAtOrBefore(schedule, next)).toEqual(next);
      expect(previousRunAtOrBefore(schedule, new Date(next.getTime() - 1))).toEqual(
        referencePreviousAtOrBefore(reference, new Date(next.getTime() - 1)),
      );
      at = next;
    }
  });

  it('return null for a schedule that never fires, and reach a leap day eight years away', () => {
    const never = parseSchedule({
      minute: [0],
      hour: [0],
      dayOfMonth: [31],
      month: ['feb'],
      dayOfWeek: ['*'],
    });
    expect(nextRunAfter(never, FROM)).toBeNull();
    expect(previousRunAtOrBefore(never, TO)).toBeNull();
    const leap = parseSchedule({
      minute: [0],
      hour: [0],
      dayOfMonth: [29],
      month: ['feb'],
      dayOfWeek: ['*'],
    });
    expect(nextRunAfter(leap, new Date('2097-01-01T00:00:00Z'))).toEqual(new Date('2104-02-29T00:00:00Z'));
    expect(previousRunAtOrBefore(leap, new Date('2103-12-31T00:00:00Z'))).toEqual(
      new Date('2096-02-29T00:00:00Z'),
    );
  });
});
