/**
 * Translation of a DataRobot schedule into Amazon EventBridge Scheduler `cron(...)` expressions.
 *
 * EventBridge cron has six fields (minutes hours day-of-month month day-of-week year), day-of-week 1-7 =
 * SUN-SAT, and requires `?` in one of the two day fields, so it cannot say "these dates OR these weekdays".
 * A schedule restricting both day fields therefore becomes two expressions, one per day field, whose union is
 * the schedule. Days that match both fields fire in both expressions at the same minute: whoever starts jobs
 * from them must treat (definition, scheduled time) as the identity of a run so that such a minute runs once.
 *
 * Length: Scheduler accepts expressions up to 256 characters (CreateSchedule `ScheduleExpression`). Lists are
 * written with ranges (`1-5`), and the longest expression any schedule can produce is well under that limit
 * (proved in test/unit/domain/schedule-translation.test.ts), so an expression never needs splitting.
 */
import { monthsHoldingAnyOf, type NormalizedSchedule, normalizeSchedule, type Schedule } from './schedule.js';

/** EventBridge Scheduler's limit on `ScheduleExpression`. */
export const SCHEDULER_EXPRESSION_MAX_LENGTH = 256;

/**
 * The EventBridge Scheduler `cron(...)` expressions (UTC) whose union of fire times is the schedule's:
 * one when at most one day field is restricted, two when both are, none when the schedule can never fire
 * (e.g. only February 30th).
 */
export function toSchedulerExpressions(schedule: Schedule): string[] {
  const normalized = normalizeSchedule(schedule);
  const rule = dayRuleOf(normalized);
  const expressions: string[] = [];
  const cron = (dayOfMonth: string, months: readonly number[], dayOfWeek: string) => {
    const fields = [list(normalized.minutes, 0, 59), list(normalized.hours, 0, 23), dayOfMonth];
    expressions.push(`cron(${[...fields, list(months, 1, 12), dayOfWeek, '*'].join(' ')})`);
  };
  if (rule === 'everyDay') {
    cron('*', normalized.months, '?');
    return expressions;
  }
  if (rule.daysOfMonth.length > 0) {
    // Months none of the dates falls in are left out, so no expression is written that can never fire.
    const possible = monthsHoldingAnyOf(rule.daysOfMonth, normalized.months);
    if (possible.length > 0) cron(list(rule.daysOfMonth, 1, 31), possible, '?');
  }
  if (rule.daysOfWeek.length > 0) {
    cron(
      '?',
      normalized.months,
      list(
        rule.daysOfWeek.map((day) => day + 1),
        1,
        7,
      ),
    );
  }
  return expressions;
}

/** Which days fire: every day, or the union of some dates and some weekdays (either list may be empty). */
type DayRule =
  | 'everyDay'
  | { readonly daysOfMonth: readonly number[]; readonly daysOfWeek: readonly number[] };

function dayRuleOf({ daysOfMonth, daysOfWeek }: NormalizedSchedule): DayRule {
  const dates = daysOfMonth === '*' ? [] : daysOfMonth;
  const weekdays = daysOfWeek === '*' ? [] : daysOfWeek;
  // "*" in both, or a field listing every value (which, being additive, lets every day through).
  if ((dates.length === 0 && weekdays.length === 0) || dates.length === 31 || weekdays.length === 7) {
    return 'everyDay';
  }
  return { daysOfMonth: dates, daysOfWeek: weekdays };
}

/** A sorted, de-duplicated list as a cron field: `*` when complete, runs of three or more as ranges. */
function list(values: readonly number[], min: number, max: number): string {
  if (values.length === max - min + 1) return '*';
  const parts: string[] = [];
  let start = 0;
  while (start < values.length) {
    let end = start;
    while (end + 1 < values.length && values[end + 1] === (values[end] ?? 0) + 1) end += 1;
    if (end - start >= 2) parts.push(`${values[start]}-${values[end]}`);
    else parts.push(...values.slice(start, end + 1).map(String));
    start = end + 1;
  }
  return parts.join(',');
}
