/**
 * Choice state rules: data tests on a `Variable` (String/Numeric/Boolean/Timestamp comparisons, their `Path`
 * forms, StringMatches, and the Is* type tests) combined with And/Or/Not.
 */
import type { ChoiceRule, StateDefinition } from './definition.js';
import { runtimeError, StatesError } from './errors.js';
import { hasPath, readPath } from './json-path.js';

const COMPARISON =
  /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/;
const TYPE_TEST = /^Is(Null|Present|Numeric|String|Boolean|Timestamp)$/;

const RELATIONS: Record<string, (order: number) => boolean> = {
  Equals: (order) => order === 0,
  LessThan: (order) => order < 0,
  GreaterThan: (order) => order > 0,
  LessThanEquals: (order) => order <= 0,
  GreaterThanEquals: (order) => order >= 0,
};

/**
 * The name of the state a Choice state moves to for `input`: the first matching rule's Next, else Default.
 * Throws States.NoChoiceMatched when neither applies.
 */
export function chooseNext(state: StateDefinition, input: unknown, context: unknown): string {
  for (const rule of state.Choices ?? []) {
    if (rule.Next !== undefined && ruleMatches(rule, input, context)) return rule.Next;
  }
  if (state.Default !== undefined) return state.Default;
  throw new StatesError('States.NoChoiceMatched', 'No Choice rule matched and no Default is set');
}

/** Whether one (possibly compound) Choice rule holds for `input`. */
export function ruleMatches(rule: ChoiceRule, input: unknown, context: unknown): boolean {
  if (rule.And) return rule.And.every((inner) => ruleMatches(inner, input, context));
  if (rule.Or) return rule.Or.some((inner) => ruleMatches(inner, input, context));
  if (rule.Not) return !ruleMatches(rule.Not, input, context);
  if (rule.Variable === undefined) throw runtimeError('A Choice rule needs Variable, And, Or or Not');
  const operator = Object.keys(rule).find((key) => COMPARISON.test(key) || TYPE_TEST.test(key));
  if (operator === undefined)
    throw runtimeError(`Choice rule on ${rule.Variable} has no supported comparison`);
  const operand = rule[operator];
  const typeTest = TYPE_TEST.exec(operator);
  if (typeTest) return typeTestHolds(typeTest[1] ?? '', rule.Variable, input, context) === operand;
  const value = readPath(rule.Variable, input, context);
  const [, kind = '', relation = '', viaPath] = COMPARISON.exec(operator) ?? [];
  const expected = viaPath ? readPath(String(operand), input, context) : operand;
  if (relation === 'Matches') return typeof value === 'string' && wildcardMatches(String(expected), value);
  const order = compare(kind, value, expected);
  return order !== undefined && (RELATIONS[relation]?.(order) ?? false);
}

function typeTestHolds(test: string, variable: string, input: unknown, context: unknown): boolean {
  if (!hasPath(variable, input, context)) return false;
  if (test === 'Present') return true;
  const value = readPath(variable, input, context);
  switch (test) {
    case 'Null':
      return value === null;
    case 'Numeric':
      return typeof value === 'number';
    case 'String':
      return typeof value === 'string';
    case 'Boolean':
      return typeof value === 'boolean';
    default:
      return parseTimestamp(value) !== undefined;
  }
}

/** Orders `value` against `expected` when both have `kind`'s type; undefined (no match) when either does not. */
function compare(kind: string, value: unknown, expected: unknown): number | undefined {
  if (kind === 'Timestamp') {
    const [left, right] = [parseTimestamp(value), parseTimestamp(expected)];
    return left === undefined || right === undefined ? undefined : Math.sign(left - right);
  }
  const type = kind === 'String' ? 'string' : kind === 'Numeric' ? 'number' : 'boolean';
  if (typeof value !== type || typeof expected !== type) return undefined;
  if (type === 'boolean') return value === expected ? 0 : Number.NaN;
  return value === expected ? 0 : (value as string | number) < (expected as string | number) ? -1 : 1;
}

function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** StringMatches: `*` matches any run of characters, `\*` a literal star. */
function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split(/(\\\*|\*)/)
    .map((part) =>
      part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}
