import { describe, expect, it } from 'vitest';
import { ruleMatches } from '../../../../local/asl/choice-rules.js';
import { validateDefinition } from '../../../../local/asl/definition.js';
import { applyResultPath, hasPath, readPath } from '../../../../local/asl/json-path.js';
import { evaluateTemplate } from '../../../../local/asl/payload-template.js';
import { findTaskHandler } from '../../../../local/asl/task-resource.js';

describe('reference paths', () => {
  const input = { a: { 'b-c': [10, { d: 'x' }] } };

  it('reads dotted, bracketed and indexed steps from the input or the context', () => {
    expect(readPath('$', input, {})).toBe(input);
    expect(readPath("$.a['b-c'][1].d", input, {})).toBe('x');
    expect(readPath('$$.Map.Item.Index', input, { Map: { Item: { Index: 3 } } })).toBe(3);
    expect(hasPath('$.a.missing', input, {})).toBe(false);
  });

  it('refuses wildcards and filters, and a path that selects nothing, with States.Runtime', () => {
    expect(() => readPath('$.a[*]', input, {})).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
    expect(() => readPath('$.nope', input, {})).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
  });

  it('places a result without mutating the input, creating missing objects', () => {
    const raw = { keep: 1, nested: { old: true } };
    expect(applyResultPath(raw, '$.nested.result.value', 5)).toEqual({
      keep: 1,
      nested: { old: true, result: { value: 5 } },
    });
    expect(raw).toEqual({ keep: 1, nested: { old: true } });
    expect(applyResultPath(raw, '$', 5)).toBe(5);
    expect(applyResultPath(raw, undefined, 5)).toBe(5);
    expect(applyResultPath(raw, null, 5)).toBe(raw);
  });

  it('fails with States.ResultPathMatchFailure when the path crosses a non-object', () => {
    expect(() => applyResultPath({ a: 'text' }, '$.a.b', 1)).toThrow(
      expect.objectContaining({ name: 'States.ResultPathMatchFailure' }),
    );
  });
});

describe('payload templates', () => {
  it('resolves `.$` fields recursively, in objects and arrays, and copies the rest', () => {
    const template = { fixed: 1, 'id.$': '$.id', nested: [{ 'exec.$': '$$.Execution.Id' }, 'plain'] };
    expect(evaluateTemplate(template, { id: 'j' }, { Execution: { Id: 'e' } })).toEqual({
      fixed: 1,
      id: 'j',
      nested: [{ exec: 'e' }, 'plain'],
    });
  });

  it('evaluates States.Format as the Fargate step uses it, and rejects other intrinsics with States.Runtime', () => {
    const template = {
      'index.$': "States.Format('{}', $.index)",
      'label.$': "States.Format('chunk {} of \\'{}\\'', $.index, 'job')",
    };
    expect(evaluateTemplate(template, { index: 7 }, {})).toEqual({ index: '7', label: "chunk 7 of 'job'" });
    expect(() => evaluateTemplate({ 'm.$': 'States.Array($.id)' }, { id: 1 }, {})).toThrow(
      expect.objectContaining({ name: 'States.Runtime' }),
    );
    expect(() => evaluateTemplate({ 'm.$': "States.Format('{} {}', $.id)" }, { id: 1 }, {})).toThrow(
      expect.objectContaining({ name: 'States.Runtime' }),
    );
  });
});

describe('choice rules', () => {
  const input = {
    name: 'chunk-007.csv',
    size: 5,
    limit: 5,
    at: '2024-05-01T00:00:00Z',
    flag: null,
  };
  const holds = (rule: Record<string, unknown>) => ruleMatches(rule, input, {});

  it('compares strings, numbers and timestamps, directly or against another path', () => {
    expect(holds({ Variable: '$.name', StringMatches: 'chunk-*.csv' })).toBe(true);
    expect(holds({ Variable: '$.name', StringMatches: 'chunk\\*' })).toBe(false);
    expect(holds({ Variable: '$.name', StringLessThan: 'd' })).toBe(true);
    expect(holds({ Variable: '$.size', NumericEqualsPath: '$.limit' })).toBe(true);
    expect(holds({ Variable: '$.size', NumericLessThanEquals: 4 })).toBe(false);
    expect(holds({ Variable: '$.at', TimestampGreaterThan: '2024-01-01T00:00:00Z' })).toBe(true);
  });

  it('does not match across types', () => {
    expect(holds({ Variable: '$.size', StringEquals: '5' })).toBe(false);
    expect(holds({ Variable: '$.name', NumericGreaterThan: 1 })).toBe(false);
  });

  it('answers type tests, including on absent variables', () => {
    expect(holds({ Variable: '$.flag', IsNull: true })).toBe(true);
    expect(holds({ Variable: '$.size', IsNumeric: true })).toBe(true);
    expect(holds({ Variable: '$.at', IsTimestamp: true })).toBe(true);
    expect(holds({ Variable: '$.absent', IsPresent: false })).toBe(true);
    expect(holds({ Variable: '$.absent', IsString: true })).toBe(false);
  });

  it('fails with States.Runtime when a compared variable is absent', () => {
    expect(() => holds({ Variable: '$.absent', StringEquals: 'x' })).toThrow(
      expect.objectContaining({ name: 'States.Runtime' }),
    );
  });
});

describe('definition validation', () => {
  const withState = (state: Record<string, unknown>) => ({ StartAt: 'S', States: { S: state } });

  it('accepts the supported subset', () => {
    const definition = withState({ Type: 'Pass', End: true });
    expect(validateDefinition(definition)).toBe(definition);
  });

  it.each([
    [
      'an unsupported state type',
      withState({ Type: 'Parallel', Branches: [], End: true }),
      /unsupported Type Parallel/,
    ],
    [
      'ItemBatcher',
      withState({
        Type: 'Map',
        ItemBatcher: {},
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Succeed' } } },
        End: true,
      }),
      /ItemBatcher/,
    ],
    ['JSONata', { QueryLanguage: 'JSONata', StartAt: 'S', States: { S: { Type: 'Succeed' } } }, /JSONPath/],
    [
      'a transition to a missing state',
      withState({ Type: 'Pass', Next: 'Nowhere' }),
      /unknown state "Nowhere"/,
    ],
    ['a state with neither Next nor End', withState({ Type: 'Task', Resource: 'r' }), /needs Next or End/],
    [
      'a CSV ItemReader',
      withState({
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV' } },
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Succeed' } } },
        End: true,
      }),
      /InputType JSON/,
    ],
    [
      'a broken item processor',
      withState({ Type: 'Map', ItemProcessor: { StartAt: 'Missing', States: {} }, End: true }),
      /item processor of "S"/,
    ],
  ])('rejects %s', (_, definition, message) => {
    expect(() => validateDefinition(definition)).toThrow(message);
  });
});

describe('task handler lookup', () => {
  const handler = async () => 'ok';

  it('finds a handler by function name in an ARN (qualified or not), by full ARN, or by ARN suffix', () => {
    const byName = { score: handler };
    expect(findTaskHandler(byName, 'arn:aws:lambda:us-east-1:1:function:score')).toBe(handler);
    expect(findTaskHandler(byName, 'arn:aws:lambda:us-east-1:1:function:score:prod')).toBe(handler);
    expect(findTaskHandler(byName, 'score')).toBe(handler);
    expect(findTaskHandler({ 'ecs:runTask.sync': handler }, 'arn:aws:states:::ecs:runTask.sync')).toBe(
      handler,
    );
  });

  it('throws States.Runtime for an unknown resource', () => {
    expect(() => findTaskHandler({ score: handler }, 'arn:aws:lambda:us-east-1:1:function:other')).toThrow(
      expect.objectContaining({ name: 'States.Runtime' }),
    );
  });
});
