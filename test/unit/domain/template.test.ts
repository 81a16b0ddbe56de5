import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import { parseJobSpec } from '../../../shared/domain/job-spec.js';
import {
  compileTemplate,
  renderJobSpec,
  renderTemplate,
  type TemplateValues,
  templateFieldsOf,
} from '../../../shared/domain/templates/template.js';

// Tuesday 2021-05-04 12:03:09.123 UTC (day 124 of the year, ISO week 18).
const NOW = new Date('2021-05-04T12:03:09.123Z');
const VALUES: TemplateValues = {
  current_run_time: NOW,
  last_scheduled_run_time: new Date('2021-05-03T12:00:00.999Z'),
  next_scheduled_run_time: new Date('2021-05-05T12:00:00Z'),
  last_completed_run_time: new Date('2021-05-03T12:07:30Z'),
};

const render = (source: string, values: TemplateValues = VALUES) =>
  renderTemplate(compileTemplate(source, 'outputSettings.url'), values);

function errorOf(action: () => unknown): { field: string; message: string } {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const [problem] = (error as ValidationError).problems;
    if (problem) return problem;
  }
  throw new Error('expected a ValidationError');
}

const compileError = (source: string) =>
  errorOf(() => compileTemplate(source, 'intakeSettings.query')).message;

describe('template variables', () => {
  it.each([
    ['{{ current_run_time }}', '2021-05-04T12:03:09'],
    ['{{current_run_time}}', '2021-05-04T12:03:09'],
    ['{{ current_run_timestamp }}', '1620129789123'],
    ['{{ last_scheduled_run_time }}', '2021-05-03T12:00:00'],
    ['{{ next_scheduled_run_time }}', '2021-05-05T12:00:00'],
    ['{{ last_completed_run_time }}', '2021-05-03T12:07:30'],
  ])('renders %s as %s (ISO 8601, no microseconds)', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it('keeps the text around expressions, including lone braces', () => {
    expect(render("SELECT * FROM t WHERE ts > '{{ last_completed_run_time }}' AND j = '{\"a\": {}}'")).toBe(
      "SELECT * FROM t WHERE ts > '2021-05-03T12:07:30' AND j = '{\"a\": {}}'",
    );
    expect(render('no templates here')).toBe('no templates here');
  });

  it("trims whitespace like Jinja's {{- and -}}", () => {
    expect(render('a  \n {{- current_run_time.year -}}  \n b')).toBe('a2021b');
  });

  it('renders a missing previous run as None, as Jinja prints Python None', () => {
    expect(render('{{ last_completed_run_time }}', { current_run_time: NOW })).toBe('None');
    expect(
      render('{{ last_scheduled_run_time }}', { current_run_time: NOW, last_scheduled_run_time: null }),
    ).toBe('None');
  });

  it('renders input_key and input_basename for S3-drop runs', () => {
    const values = { current_run_time: NOW, input_key: 'in/2021/data.csv', input_basename: 'data.csv' };
    expect(render('s3://out/{{ input_basename }}.{{ current_run_timestamp }}', values)).toBe(
      's3://out/data.csv.1620129789123',
    );
    expect(render('s3://out/{{ input_key }}', values)).toBe('s3://out/in/2021/data.csv');
  });
});

describe('datetime methods', () => {
  it.each([
    ["{{ current_run_time.strftime('%Y-%m-%d') }}", '2021-05-04'],
    ['{{ current_run_time.strftime("%H:%M:%S") }}', '12:03:09'],
    ['{{ current_run_time.isoformat() }}', '2021-05-04T12:03:09'],
    ["{{ current_run_time.isoformat(' ') }}", '2021-05-04 12:03:09'],
    ['{{ current_run_time.timestamp() }}', '1620129789.0'],
    ['{{ current_run_time.date() }}', '2021-05-04'],
    ['{{ current_run_time.date().isoformat() }}', '2021-05-04'],
    ["{{ current_run_time.date().strftime('%d/%m/%Y %H') }}", '04/05/2021 00'],
    ['{{ current_run_time.year }}-{{ current_run_time.month }}-{{ current_run_time.day }}', '2021-5-4'],
    ['{{ current_run_time.hour }}:{{ current_run_time.minute }}:{{ current_run_time.second }}', '12:3:9'],
    ['{{ current_run_time.microsecond }}', '0'],
    ["{{ next_scheduled_run_time.strftime('%A') }}", 'Wednesday'],
  ])('%s -> %s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it.each([
    ['%Y %y %m %d %e', '2021 21 05 04  4'],
    ['%H %I %p %M %S %f', '12 12 PM 03 09 000000'],
    ['%a %A %w %u', 'Tue Tuesday 2 2'],
    ['%b %B %h', 'May May May'],
    ['%j %U %W %G %V', '124 18 18 2021 18'],
    ['%c', 'Tue May  4 12:03:09 2021'],
    ['%x %X', '05/04/21 12:03:09'],
    ['%F %T %D %R', '2021-05-04 12:03:09 05/04/21 12:03'],
    ['%C %s', '20 1620129789'],
    ['[%z][%Z] 100%%', '[][] 100%'],
  ])('strftime("%s") -> %s', (format, expected) => {
    expect(render(`{{ current_run_time.strftime('${format}') }}`)).toBe(expected);
  });

  it('numbers weeks and years like Python at year boundaries', () => {
    const values = { current_run_time: new Date('2021-01-01T00:00:00Z') }; // a Friday, ISO week 53 of 2020
    expect(render("{{ current_run_time.strftime('%j %U %W %G %V %I %p') }}", values)).toBe(
      '001 00 00 2020 53 12 AM',
    );
  });
});

describe('template errors (at compile time, with line:column)', () => {
  it.each([
    [
      '{{ run_time }}',
      '1:4: unknown variable "run_time"; the variables are current_run_time, current_run_timestamp, last_scheduled_run_time, next_scheduled_run_time, last_completed_run_time, input_key, input_basename',
    ],
    ['ok\n  {{ current_run_time.strftime(%Y) }}', '2:32: unexpected "%"'],
    ['{{ current_run_time.strftime }}', '1:21: strftime is a method: call it as strftime(...)'],
    ["{{ current_run_time.strftime('%Y', '%m') }}", '1:21: strftime() takes 1 argument(s), got 2'],
    [
      "{{ current_run_time.strftime('%Y-%Q') }}",
      '1:34: strftime does not support "%Q"; supported: %a %A %w %u %d %e %b %h %B %m %y %Y %C %H %I %p %M %S %f %z %Z %j %U %W %G %V %s %c %x %X %D %F %T %R %%',
    ],
    [
      "{{ current_run_time.strftime('%') }}",
      '1:31: strftime does not support "%"; supported: %a %A %w %u %d %e %b %h %B %m %y %Y %C %H %I %p %M %S %f %z %Z %j %U %W %G %V %s %c %x %X %D %F %T %R %%',
    ],
    ['{{ current_run_time.year() }}', '1:25: year is not callable'],
    ['{{ current_run_time() }}', '1:20: current_run_time is not callable'],
    ['{{ current_run_time.timestamp(1) }}', '1:31: unexpected "1"'],
    ['{{ current_run_time.strftime(fmt) }}', '1:30: strftime() takes string arguments only'],
    ["{{ current_run_time.isoformat('--') }}", '1:32: isoformat() takes a one-character separator'],
    ['{{ current_run_timestamp.real }}', '1:26: int has no attribute "real"'],
    ['{{ input_key.split }}', '1:14: string has no attribute "split"'],
    ['{{ current_run_time | string }}', '1:21: filters ("|") are not supported'],
    ["{{ current_run_time['year'] }}", '1:20: subscripts ("[...]") are not supported'],
    ['{{ 42 }}', '1:4: unexpected "4"'],
    ["{{ 'text' }}", '1:4: expected a variable name, found a string'],
    ['{{ }}', '1:1: empty expression'],
    ['a {{ current_run_time', '1:3: unclosed "{{": expected "}}"'],
    ["{{ current_run_time.strftime('%Y }}", '1:30: unterminated string'],
    ['{{ current_run_time.strftime(', '1:1: unclosed "{{": expected "}}"'],
    ["{{ current_run_time.strftime('%Y' }}", '1:29: unclosed "(": expected ")"'],
    ['{{ current_run_time current_run_time }}', '1:21: unexpected "current_run_time"'],
    ['{{ current_run_time. }}', '1:21: expected an attribute or method name after "."'],
    ['{% if x %}y{% endif %}', '1:1: template statements ({% ... %}) are not supported; use {{ variable }}'],
    ['x {# note #}', '1:3: template comments ({# ... #}) are not supported'],
  ])('%j fails with %j', (source, message) => {
    expect(compileError(source)).toBe(message);
  });

  it('names the field the template came from', () => {
    expect(errorOf(() => compileTemplate('{{ nope }}', 'outputSettings.table')).field).toBe(
      'outputSettings.table',
    );
  });
});

describe('sandbox', () => {
  it.each([
    '{{ __class__ }}',
    '{{ constructor }}',
    '{{ __proto__ }}',
    '{{ toString }}',
    '{{ process }}',
    '{{ globalThis }}',
    '{{ self }}',
    '{{ config }}',
    '{{ current_run_time.__init__ }}',
    '{{ current_run_time.__class__ }}',
    '{{ current_run_time.constructor }}',
    '{{ current_run_time.__proto__ }}',
    '{{ current_run_time.getTime() }}',
    '{{ current_run_time.strftime.__globals__ }}',
    '{{ current_run_time.date().__class__.__mro__ }}',
    "{{ current_run_time|attr('__class__') }}",
    "{{ ''.__class__ }}",
    '{{ lipsum.__globals__ }}',
    '{{ cycler.__init__.__globals__.os }}',
  ])('rejects %s at compile time', (source) => {
    expect(() => compileTemplate(source, 'outputSettings.url')).toThrow(ValidationError);
  });
});

describe('rendering errors (when a run starts)', () => {
  it('fails on a method of a run that has not happened yet, naming the field and position', () => {
    const template = compileTemplate("x{{ last_completed_run_time.strftime('%Y') }}", 'intakeSettings.query');
    expect(errorOf(() => renderTemplate(template, { current_run_time: NOW }))).toEqual({
      field: 'intakeSettings.query',
      message: '1:29: last_completed_run_time is None (no such run yet), so it has no "strftime"',
    });
  });

  it('fails on input_key outside an S3-drop run', () => {
    const template = compileTemplate('s3://b/{{ input_key }}', 'outputSettings.url');
    expect(errorOf(() => renderTemplate(template, { current_run_time: NOW })).message).toBe(
      '1:11: input_key is only set for runs started by an S3 drop',
    );
  });
});

describe('job spec templates', () => {
  const jdbcSpec = parseJobSpec({
    deploymentId: 'd',
    intakeSettings: {
      type: 'jdbc',
      dataStoreId: 'ds',
      credentialId: 'c',
      query: "SELECT * FROM t WHERE ts > '{{ last_completed_run_time }}'",
    },
    outputSettings: {
      type: 'jdbc',
      dataStoreId: 'ds',
      credentialId: 'c',
      table: "scores_{{ current_run_time.strftime('%Y%m%d') }}",
      statementType: 'insert',
    },
  });
  const s3Spec = parseJobSpec({
    deploymentId: 'd',
    intakeSettings: { type: 's3', url: 's3://in/{{ input_key }}', credentialId: 'c' },
    outputSettings: {
      type: 's3',
      url: 's3://out/{{ input_basename }}-{{ current_run_timestamp }}.csv',
      credentialId: 'c',
    },
  });

  it('lists the fields DataRobot templates, plus the intake url for S3 drops', () => {
    expect(templateFieldsOf(jdbcSpec)).toEqual([
      { field: 'intakeSettings.query', source: "SELECT * FROM t WHERE ts > '{{ last_completed_run_time }}'" },
      { field: 'outputSettings.table', source: "scores_{{ current_run_time.strftime('%Y%m%d') }}" },
    ]);
    expect(templateFieldsOf(s3Spec).map((entry) => entry.field)).toEqual([
      'intakeSettings.url',
      'outputSettings.url',
    ]);
    expect(templateFieldsOf(parseJobSpec({ deploymentId: 'd' }))).toEqual([]);
  });

  it('renders every template field and leaves the rest (and the original) unchanged', () => {
    const rendered = renderJobSpec(jdbcSpec, VALUES);
    expect(rendered.intakeSettings).toEqual({
      ...jdbcSpec.intakeSettings,
      query: "SELECT * FROM t WHERE ts > '2021-05-03T12:07:30'",
    });
    expect(rendered.outputSettings).toEqual({ ...jdbcSpec.outputSettings, table: 'scores_20210504' });
    expect({
      ...rendered,
      intakeSettings: jdbcSpec.intakeSettings,
      outputSettings: jdbcSpec.outputSettings,
    }).toEqual(jdbcSpec);
    expect(jdbcSpec.outputSettings).toMatchObject({
      table: "scores_{{ current_run_time.strftime('%Y%m%d') }}",
    });

    const dropped = renderJobSpec(s3Spec, {
      current_run_time: NOW,
      input_key: 'a/b.csv',
      input_basename: 'b.csv',
    });
    expect(dropped.intakeSettings).toMatchObject({ url: 's3://in/a/b.csv' });
    expect(dropped.outputSettings).toMatchObject({ url: 's3://out/b.csv-1620129789123.csv' });
  });

  it('reports a bad template on its job spec field', () => {
    const spec = parseJobSpec({
      deploymentId: 'd',
      outputSettings: { type: 'gcp', url: 'gs://b/{{ nope }}.csv', credentialId: 'c' },
    });
    expect(errorOf(() => renderJobSpec(spec, VALUES)).field).toBe('outputSettings.url');
  });
});
