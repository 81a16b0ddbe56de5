/**
 * Template variables in job-definition fields (DataRobot's "Template variables": Jinja's `{{ variable }}`
 * syntax in intake `query`, output `table` and output `url`), rendered when a run starts.
 *
 * Sandboxed by construction: this is not Jinja but a grammar that knows only the template variables and the
 * datetime members below. An expression is a variable followed by attribute reads and method calls with
 * string arguments; everything else (other names, filters, subscripts, literals, `{% %}` statements, `{# #}`
 * comments) fails at compile time with its line:column, so a template can reach nothing but these values.
 *
 * Rendering follows Python: a datetime prints as ISO 8601 without microseconds (`2021-05-04T12:00:00`, naive
 * UTC like DataRobot's `datetime.utcnow()`), a missing previous run prints `None` as Jinja does, and
 * `current_run_timestamp` is milliseconds since the epoch.
 */
import { ValidationError } from '../errors.js';
import type { JobSpec } from '../job-spec.js';
import {
  firstUnknownDirective,
  isoformat,
  STRFTIME_DIRECTIVES,
  strftime,
  timestampText,
  toDay,
  toWholeSeconds,
} from './python-datetime.js';

/** The values a template may read, as of the run being started. */
export interface TemplateValues {
  current_run_time: Date;
  last_scheduled_run_time?: Date | null;
  next_scheduled_run_time?: Date | null;
  last_completed_run_time?: Date | null;
  /** [S3-drop runs] the key of the object that started the run, and its last path segment. */
  input_key?: string;
  input_basename?: string;
}

type StaticType = 'datetime' | 'date' | 'string' | 'int' | 'float';

/** A value while rendering; `null` is Python's None (a run that has not happened yet). */
type Value =
  | { readonly type: 'datetime'; readonly date: Date }
  | { readonly type: 'date'; readonly date: Date }
  | { readonly type: 'text'; readonly text: string }
  | null;

interface Variable {
  readonly type: StaticType;
  /** undefined: the variable does not exist in this run (input_* outside S3-drop runs). */
  readonly read: (values: TemplateValues) => Value | undefined;
}

// Maps, not objects: a name like "constructor" or "__proto__" must find nothing.
const VARIABLES = new Map<string, Variable>(
  Object.entries({
    current_run_time: { type: 'datetime' as const, read: (v) => datetime(v.current_run_time) },
    current_run_timestamp: {
      type: 'int',
      read: (v) => ({ type: 'text', text: String(v.current_run_time.getTime()) }),
    },
    last_scheduled_run_time: { type: 'datetime', read: (v) => datetime(v.last_scheduled_run_time) },
    next_scheduled_run_time: { type: 'datetime', read: (v) => datetime(v.next_scheduled_run_time) },
    last_completed_run_time: { type: 'datetime', read: (v) => datetime(v.last_completed_run_time) },
    input_key: { type: 'string', read: (v) => text(v.input_key) },
    input_basename: { type: 'string', read: (v) => text(v.input_basename) },
  } satisfies Record<string, Variable>),
);

function datetime(date: Date | null | undefined): Value {
  return date ? { type: 'datetime', date: toWholeSeconds(date) } : null;
}

function text(value: string | undefined): Value | undefined {
  return value === undefined ? undefined : { type: 'text', text: value };
}

/** A member of a datetime or date: an attribute (no arguments) or a method with string arguments. */
interface Member {
  readonly kind: 'attribute' | 'method';
  readonly result: StaticType;
  /** Allowed argument counts (methods). */
  readonly arity?: readonly number[];
  /** Checks the arguments at compile time: the index of the bad character and why, or null. */
  readonly check?: (args: readonly string[]) => { at: number; argument: number; message: string } | null;
  readonly apply: (date: Date, args: readonly string[]) => Value;
}

const int = (read: (date: Date) => number): Member => ({
  kind: 'attribute',
  result: 'int',
  apply: (date) => ({ type: 'text', text: String(read(date)) }),
});

const strftimeMember: Member = {
  kind: 'method',
  result: 'string',
  arity: [1],
  check: ([format = '']) => {
    const at = firstUnknownDirective(format);
    if (at < 0) return null;
    const shown = format.slice(at, at + 2);
    return {
      at,
      argument: 0,
      message: `strftime does not support "${shown}"; supported: ${STRFTIME_DIRECTIVES.join(' ')}`,
    };
  },
  apply: (date, [format = '']) => ({ type: 'text', text: strftime(date, format) }),
};

const DATE_MEMBERS = {
  year: int((d) => d.getUTCFullYear()),
  month: int((d) => d.getUTCMonth() + 1),
  day: int((d) => d.getUTCDate()),
  strftime: strftimeMember,
  isoformat: {
    kind: 'method',
    result: 'string',
    arity: [0],
    apply: (d) => ({ type: 'text', text: strftime(d, '%Y-%m-%d') }),
  },
} satisfies Record<string, Member>;

const DATETIME_MEMBERS = {
  ...DATE_MEMBERS,
  hour: int((d) => d.getUTCHours()),
  minute: int((d) => d.getUTCMinutes()),
  second: int((d) => d.getUTCSeconds()),
  microsecond: int(() => 0),
  isoformat: {
    kind: 'method',
    result: 'string',
    arity: [0, 1],
    check: ([sep]) =>
      sep === undefined || [...sep].length === 1
        ? null
        : { at: 0, argument: 0, message: 'isoformat() takes a one-character separator' },
    apply: (d, [sep]) => ({ type: 'text', text: isoformat(d, sep) }),
  },
  timestamp: {
    kind: 'method',
    result: 'float',
    arity: [0],
    apply: (d) => ({ type: 'text', text: timestampText(d) }),
  },
  date: { kind: 'method', result: 'date', arity: [0], apply: (d) => ({ type: 'date', date: toDay(d) }) },
} satisfies Record<string, Member>;

const membersOf = (members: Record<string, Member>) => new Map(Object.entries(members));
const MEMBERS: Record<StaticType, ReadonlyMap<string, Member>> = {
  datetime: membersOf(DATETIME_MEMBERS),
  date: membersOf(DATE_MEMBERS),
  string: new Map(),
  int: new Map(),
  float: new Map(),
};

// ---------------------------------------------------------------------------------------------------------
// Compiling

/** One `{{ ... }}` after parsing: its variable and the members read from it, each with its source position. */
interface Expression {
  readonly variable: string;
  readonly at: number;
  readonly steps: readonly {
    readonly name: string;
    readonly member: Member;
    readonly args: readonly string[];
    readonly at: number;
  }[];
}

type Part = { readonly text: string } | { readonly expression: Expression };

/** A template parsed once, rendered many times (see compileTemplate). */
export interface CompiledTemplate {
  readonly source: string;
  /** The dotted field the template came from, named in render errors. */
  readonly field: string;
  /** The variables the template reads, in order of first use. */
  readonly variables: readonly string[];
  readonly parts: readonly Part[];
}

class TemplateSyntaxError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

/** The 1-based `line:column` of a source index. */
function position(source: string, at: number): string {
  const before = source.slice(0, at).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Parses once; throws ValidationError on `field` with the 1-based line:column of the error. */
export function compileTemplate(source: string, field: string): CompiledTemplate {
  try {
    const parts = parse(source);
    const variables = [
      ...new Set(parts.flatMap((part) => ('expression' in part ? [part.expression.variable] : []))),
    ];
    return { source, field, variables, parts };
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    throw new ValidationError([{ field, message: `${position(source, error.at)}: ${error.message}` }]);
  }
}

function parse(source: string): Part[] {
  const parts: Part[] = [];
  let index = 0;
  let trimNext = false;
  while (index < source.length) {
    const open = source.slice(index).search(/\{[{%#]/);
    const end = open < 0 ? source.length : index + open;
    let literal = source.slice(index, end);
    if (trimNext) literal = literal.replace(/^\s+/, '');
    if (open < 0) {
      if (literal) parts.push({ text: literal });
      break;
    }
    const marker = source[end + 1];
    if (marker === '%') {
      throw new TemplateSyntaxError(
        end,
        'template statements ({% ... %}) are not supported; use {{ variable }}',
      );
    }
    if (marker === '#') throw new TemplateSyntaxError(end, 'template comments ({# ... #}) are not supported');
    let start = end + 2;
    if (source[start] === '-') {
      literal = literal.replace(/\s+$/, '');
      start += 1;
    }
    if (literal) parts.push({ text: literal });
    const { expression, next, trim } = parseExpression(source, end, start);
    parts.push({ expression });
    index = next;
    trimNext = trim;
  }
  return parts;
}

type Token =
  | { kind: 'name' | 'punct'; text: string; at: number }
  | { kind: 'string'; text: string; at: number };

/** Reads the tokens of one `{{ ... }}` starting at `start`; `open` is where its `{{` stands. */
function tokenize(
  source: string,
  open: number,
  start: number,
): { tokens: Token[]; next: number; trim: boolean } {
  const tokens: Token[] = [];
  let index = start;
  for (;;) {
    while (index < source.length && /\s/.test(source[index] ?? '')) index += 1;
    const char = source[index];
    if (char === undefined) throw new TemplateSyntaxError(open, 'unclosed "{{": expected "}}"');
    if (source.startsWith('}}', index)) return { tokens, next: index + 2, trim: false };
    if (source.startsWith('-}}', index)) return { tokens, next: index + 3, trim: true };
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(index))?.[0];
    if (name) {
      tokens.push({ kind: 'name', text: name, at: index });
      index += name.length;
    } else if (char === "'" || char === '"') {
      const literal = readString(source, index);
      tokens.push({ kind: 'string', text: literal.value, at: index });
      index = literal.next;
    } else if ('.(),'.includes(char)) {
      tokens.push({ kind: 'punct', text: char, at: index });
      index += 1;
    } else if (char === '|') {
      throw new TemplateSyntaxError(index, 'filters ("|") are not supported');
    } else if (char === '[') {
      throw new TemplateSyntaxError(index, 'subscripts ("[...]") are not supported');
    } else {
      throw new TemplateSyntaxError(index, `unexpected "${char}"`);
    }
  }
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t' };

/** A quoted string literal at `start` (Python escapes \\ \' \" \n \t). */
function readString(source: string, start: number): { value: string; next: number } {
  const quote = source[start];
  let value = '';
  for (let index = start + 1; index < source.length; index += 1) {
    const char = source[index];
    if (char === quote) return { value, next: index + 1 };
    if (char === '\n') break;
    if (char === '\\') {
      const escaped = ESCAPES[source[index + 1] ?? ''];
      if (escaped === undefined) throw new TemplateSyntaxError(index, 'unsupported escape in string');
      value += escaped;
      index += 1;
    } else {
      value += char;
    }
  }
  throw new TemplateSyntaxError(start, 'unterminated string');
}

function parseExpression(
  source: string,
  open: number,
  start: number,
): { expression: Expression; next: number; trim: boolean } {
  const { tokens, next, trim } = tokenize(source, open, start);
  let cursor = 0;
  const peek = (): Token | undefined => tokens[cursor];
  const first = peek();
  if (first === undefined) throw new TemplateSyntaxError(open, 'empty expression');
  if (first.kind !== 'name')
    throw new TemplateSyntaxError(first.at, `expected a variable name, found ${describe(first)}`);
  const variable = VARIABLES.get(first.text);
  if (variable === undefined) {
    throw new TemplateSyntaxError(
      first.at,
      `unknown variable "${first.text}"; the variables are ${[...VARIABLES.keys()].join(', ')}`,
    );
  }
  cursor += 1;
  let type = variable.type;
  const steps: Expression['steps'][number][] = [];
  for (let token = peek(); token !== undefined; token = peek()) {
    if (token.kind === 'punct' && token.text === '(') {
      throw new TemplateSyntaxError(token.at, `${steps.at(-1)?.name ?? first.text} is not callable`);
    }
    if (token.kind !== 'punct' || token.text !== '.') {
      throw new TemplateSyntaxError(token.at, `unexpected ${describe(token)}`);
    }
    cursor += 1;
    const nameToken = peek();
    if (nameToken?.kind !== 'name') {
      throw new TemplateSyntaxError(
        nameToken?.at ?? token.at + 1,
        'expected an attribute or method name after "."',
      );
    }
    cursor += 1;
    const members = MEMBERS[type];
    const member = members.get(nameToken.text);
    if (member === undefined) {
      const allowed = [...members.keys()];
      throw new TemplateSyntaxError(
        nameToken.at,
        `${type} has no attribute "${nameToken.text}"${allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`,
      );
    }
    const args = member.kind === 'method' ? parseArguments(nameToken, member) : [];
    steps.push({ name: nameToken.text, member, args: args.map((arg) => arg.text), at: nameToken.at });
    type = member.result;
  }
  return { expression: { variable: first.text, at: first.at, steps }, next, trim };

  function parseArguments(name: Token, member: Member): Token[] {
    const open = peek();
    if (open?.kind !== 'punct' || open.text !== '(') {
      throw new TemplateSyntaxError(name.at, `${name.text} is a method: call it as ${name.text}(...)`);
    }
    cursor += 1;
    const args: Token[] = [];
    if (peek()?.kind === 'punct' && peek()?.text === ')') {
      cursor += 1;
    } else {
      for (;;) {
        const arg = peek();
        if (arg?.kind !== 'string') {
          throw new TemplateSyntaxError(arg?.at ?? open.at, `${name.text}() takes string arguments only`);
        }
        args.push(arg);
        cursor += 1;
        const separator = peek();
        if (separator === undefined) throw new TemplateSyntaxError(open.at, 'unclosed "(": expected ")"');
        cursor += 1;
        if (separator.kind === 'punct' && separator.text === ')') break;
        if (separator.kind !== 'punct' || separator.text !== ',') {
          throw new TemplateSyntaxError(separator.at, `unexpected ${describe(separator)}`);
        }
      }
    }
    if (!member.arity?.includes(args.length)) {
      throw new TemplateSyntaxError(
        name.at,
        `${name.text}() takes ${member.arity?.join(' or ')} argument(s), got ${args.length}`,
      );
    }
    const problem = member.check?.(args.map((arg) => arg.text));
    if (problem) {
      const arg = args[problem.argument];
      // Points into the literal when it has no escapes (so its characters sit where they were written).
      const at =
        arg && source.slice(arg.at + 1).startsWith(arg.text) ? arg.at + 1 + problem.at : (arg?.at ?? name.at);
      throw new TemplateSyntaxError(at, problem.message);
    }
    return args;
  }
}

function describe(token: Token): string {
  return token.kind === 'string' ? 'a string' : `"${token.text}"`;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

/**
 * Renders a compiled template with the values of one run. Throws ValidationError on the template's field
 * when it calls a method on a run time that does not exist yet (Python would fail on None too), or reads
 * input_key / input_basename in a run not started by an S3 drop.
 */
export function renderTemplate(template: CompiledTemplate, values: TemplateValues): string {
  return template.parts
    .map((part) => ('text' in part ? part.text : evaluate(template, part.expression, values)))
    .join('');
}

function evaluate(template: CompiledTemplate, expression: Expression, values: TemplateValues): string {
  const fail = (at: number, message: string) =>
    new ValidationError([{ field: template.field, message: `${position(template.source, at)}: ${message}` }]);
  let value = VARIABLES.get(expression.variable)?.read(values);
  if (value === undefined) {
    throw fail(expression.at, `${expression.variable} is only set for runs started by an S3 drop`);
  }
  for (const step of expression.steps) {
    if (value === null) {
      throw fail(step.at, `${expression.variable} is None (no such run yet), so it has no "${step.name}"`);
    }
    // Unreachable for a compiled template (members are checked against static types); keeps `date` typed.
    if (value.type === 'text') throw fail(step.at, `"${step.name}" cannot be read from text`);
    value = step.member.apply(value.date, step.args);
  }
  if (value === null) return 'None';
  if (value.type === 'datetime') return isoformat(value.date);
  if (value.type === 'date') return strftime(value.date, '%Y-%m-%d');
  return value.text;
}

// ---------------------------------------------------------------------------------------------------------
// Job specs

type SettingsKey = 'intakeSettings' | 'outputSettings';

/**
 * Where templates may stand: DataRobot's list (intake query for JDBC, Synapse and Snowflake; output table
 * for JDBC, Synapse, Snowflake and BigQuery; output url for S3, GCP and Azure), plus, as our extension, the
 * intake url of file adapters, where an S3-drop run's `{{ input_key }}` goes.
 */
const TEMPLATE_FIELDS: readonly { settings: SettingsKey; key: string; types: readonly string[] }[] = [
  { settings: 'intakeSettings', key: 'query', types: ['jdbc', 'synapse', 'snowflake'] },
  { settings: 'intakeSettings', key: 'url', types: ['s3', 'gcp', 'azure'] },
  { settings: 'outputSettings', key: 'table', types: ['jdbc', 'synapse', 'snowflake', 'bigquery'] },
  { settings: 'outputSettings', key: 'url', types: ['s3', 'gcp', 'azure'] },
];

/** The template fields of a job spec (intakeSettings.query, outputSettings.table, outputSettings.url …). */
export function templateFieldsOf(spec: JobSpec): { field: string; source: string }[] {
  return TEMPLATE_FIELDS.flatMap(({ settings, key, types }) => {
    const values: Record<string, unknown> = spec[settings];
    const source = values[key];
    return types.includes(spec[settings].type) && typeof source === 'string'
      ? [{ field: `${settings}.${key}`, source }]
      : [];
  });
}

/** The job spec with every template field rendered for one run (the spec itself is left unchanged). */
export function renderJobSpec(spec: JobSpec, values: TemplateValues): JobSpec {
  let rendered = spec;
  for (const { field, source } of templateFieldsOf(spec)) {
    const [settings, key] = field.split('.') as [SettingsKey, string];
    const text = renderTemplate(compileTemplate(source, field), values);
    rendered = { ...rendered, [settings]: { ...rendered[settings], [key]: text } };
  }
  return rendered;
}
