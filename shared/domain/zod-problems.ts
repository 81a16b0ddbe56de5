import type { z } from 'zod';
import type { FieldProblem } from './errors.js';

type Issue = z.core.$ZodIssue;
type UnionIssue = Extract<Issue, { code: 'invalid_union' }>;
type Path = readonly PropertyKey[];

const MAX_SHOWN_TEXT = 60;

/**
 * Turns a zod error into one problem per failing field, named by dotted path (`intakeSettings.url`,
 * `passthroughColumns.3`), with a message saying what was expected and, when the issue carries its input
 * (parse with `{ reportInput: true }`), what was received.
 *
 * - an unknown key is reported under its own path: `intakeSettings.foo: unknown field`;
 * - a bad discriminator lists the allowed values;
 * - a union that failed in every branch is reported as the alternatives it expected, or, when one branch got
 *   past the value's shape, as that branch's own problems;
 * - custom issues (refinements) keep their message as written; regex checks must carry their own
 *   "expected ..." message, because a raw pattern means nothing to a user.
 */
export function toFieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) => problemsOf(issue, []));
}

function problemsOf(issue: Issue, prefix: Path): FieldProblem[] {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ field: fieldName([...path, key]), message: 'unknown field' }));
    case 'invalid_union':
      return unionProblems(issue, path);
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.flatMap((inner) => problemsOf(inner, path));
    default:
      return [{ field: fieldName(path), message: messageOf(issue) }];
  }
}

function unionProblems(issue: UnionIssue, path: Path): FieldProblem[] {
  if (issue.discriminator !== undefined) {
    return [{ field: fieldName(path), message: discriminatorMessage(issue, issue.discriminator) }];
  }
  if (issue.inclusive === false) {
    return [{ field: fieldName(path), message: 'matches more than one of the allowed forms' }];
  }
  const branches = issue.errors;
  if (branches.length === 0) return [{ field: fieldName(path), message: issue.message }];
  const allAtRoot = branches.every((branch) => branch.length === 1 && branch[0]?.path.length === 0);
  if (allAtRoot) {
    const expected = branches.map((branch) => (branch[0] ? expectationOf(branch[0]) : 'something else'));
    return [{ field: fieldName(path), message: `expected ${expected.join(' or ')}${receivedPart(issue)}` }];
  }
  // The branch that got furthest (its problems lie inside the value, not on its shape) is what was meant.
  const closest = [...branches].sort(
    (a, b) => rootTypeErrors(a) - rootTypeErrors(b) || a.length - b.length,
  )[0];
  return (closest ?? []).flatMap((inner) => problemsOf(inner, path));
}

function rootTypeErrors(branch: readonly Issue[]): number {
  return branch.filter((issue) => issue.path.length === 0 && issue.code === 'invalid_type').length;
}

function discriminatorMessage(issue: UnionIssue, discriminator: string): string {
  const options = 'options' in issue ? (issue.options ?? []) : [];
  const allowed = `expected one of ${options.map(show).join(', ')}`;
  if (!('input' in issue)) return allowed;
  const parent = issue.input;
  const received = isRecord(parent) ? parent[discriminator] : undefined;
  return received === undefined ? `required: ${allowed}` : `${allowed}; received ${show(received)}`;
}

function messageOf(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return isMissing(issue)
        ? `required: expected ${nounOf(issue.expected)}`
        : `expected ${nounOf(issue.expected)}${receivedPart(issue)}`;
    case 'too_big':
    case 'too_small':
    case 'invalid_value':
      return `expected ${expectationOf(issue)}${receivedPart(issue)}`;
    case 'invalid_format':
      return issue.format === 'regex'
        ? `${issue.message}${receivedPart(issue)}`
        : `expected ${formatNoun(issue.format)}${receivedPart(issue)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}${receivedPart(issue)}`;
    default:
      return issue.message;
  }
}

/** What one issue asked for, as a noun phrase ("a number <= 100", "one of "auto", "fixed""). */
function expectationOf(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return nounOf(issue.expected);
    case 'invalid_value':
      return issue.values.length === 1
        ? show(issue.values[0])
        : `one of ${issue.values.map(show).join(', ')}`;
    case 'too_big':
      return boundOf(issue.origin, issue.exact ? '=' : issue.inclusive === false ? '<' : '<=', issue.maximum);
    case 'too_small':
      return boundOf(issue.origin, issue.exact ? '=' : issue.inclusive === false ? '>' : '>=', issue.minimum);
    case 'invalid_format':
      return issue.format === 'regex' ? issue.message.replace(/^expected /, '') : formatNoun(issue.format);
    default:
      return issue.message;
  }
}

function boundOf(origin: string, relation: '=' | '<' | '<=' | '>' | '>=', bound: number | bigint): string {
  switch (origin) {
    case 'string':
      if (relation === '>=' && bound === 1) return 'a non-empty string';
      return `${sizeWord(relation)} ${plural(bound, 'character')}`;
    case 'array':
    case 'set':
      return `${sizeWord(relation)} ${plural(bound, 'item')}`;
    default:
      return relation === '=' ? `exactly ${bound}` : `a number ${relation} ${bound}`;
  }
}

function sizeWord(relation: '=' | '<' | '<=' | '>' | '>='): string {
  return { '=': 'exactly', '<': 'fewer than', '<=': 'at most', '>': 'more than', '>=': 'at least' }[relation];
}

function plural(count: number | bigint, noun: string): string {
  return `${count} ${noun}${count === 1 || count === 1n ? '' : 's'}`;
}

function nounOf(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'null':
    case 'undefined':
      return expected;
    case 'record':
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function formatNoun(format: string): string {
  switch (format) {
    case 'datetime':
      return 'an ISO 8601 date-time';
    case 'date':
      return 'an ISO 8601 date';
    case 'url':
      return 'a URL';
    default:
      return `a string in ${format} format`;
  }
}

function isMissing(issue: Issue): boolean {
  return 'input' in issue && issue.input === undefined;
}

function receivedPart(issue: Issue): string {
  return 'input' in issue ? `, received ${describe(issue.input)}` : '';
}

/** A short, safe rendering of a received value: long strings are cut, containers summarized. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${plural(value.length, 'item')}`;
  if (isRecord(value)) return 'an object';
  return show(value);
}

function show(value: unknown): string {
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    return text.length > MAX_SHOWN_TEXT ? `${text.slice(0, MAX_SHOWN_TEXT - 4)}..."` : text;
  }
  return typeof value === 'bigint' ? value.toString() : String(JSON.stringify(value) ?? value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldName(path: Path): string {
  return path.map(String).join('.');
}
