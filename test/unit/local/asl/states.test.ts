import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalExecutor } from '../../../../local/asl/executor.js';
import type { TaskHandlers } from '../../../../local/asl/task-resource.js';
import { memoryObjects, namedError, recordingSleep } from './fixtures.js';

/** Runs a definition built from `states` (starting at the first) on `input`. */
async function run(states: Record<string, unknown>, input: unknown, tasks: TaskHandlers = {}) {
  const { delays, sleep } = recordingSleep();
  const definition = { StartAt: Object.keys(states)[0], States: states };
  const executor = createLocalExecutor({ definition, tasks, objects: memoryObjects(), sleep });
  const result = await executor.start('exec', input).result;
  return { result, delays };
}

describe('Pass, Choice, Wait, Succeed and Fail', () => {
  it('Pass injects Result at ResultPath, or shapes the input with Parameters', async () => {
    const { result } = await run(
      {
        Fixed: { Type: 'Pass', Result: { n: 1 }, ResultPath: '$.fixed', Next: 'Shaped' },
        Shaped: {
          Type: 'Pass',
          Parameters: { 'id.$': '$$.Execution.Name', 'n.$': '$.fixed.n', k: 'v' },
          End: true,
        },
      },
      { keep: true },
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: { id: 'exec', n: 1, k: 'v' } });
  });

  it('Choice follows the first matching rule, then Default', async () => {
    const states = {
      Route: {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.kind', StringEquals: 'csv' },
              { Variable: '$.rows', NumericGreaterThan: 10 },
            ],
            Next: 'Big',
          },
          { Not: { Variable: '$.abortOnError', IsPresent: true }, Next: 'NoFlag' },
          { Or: [{ Variable: '$.abortOnError', BooleanEquals: true }], Next: 'Strict' },
        ],
        Default: 'Other',
      },
      Big: { Type: 'Pass', Result: 'big', End: true },
      NoFlag: { Type: 'Pass', Result: 'no flag', End: true },
      Strict: { Type: 'Pass', Result: 'strict', End: true },
      Other: { Type: 'Pass', Result: 'other', End: true },
    };
    const outputOf = async (input: unknown) => (await run(states, input)).result.output;

    expect(await outputOf({ kind: 'csv', rows: 11, abortOnError: false })).toBe('big');
    expect(await outputOf({ kind: 'csv', rows: 10 })).toBe('no flag');
    expect(await outputOf({ kind: 'csv', rows: 10, abortOnError: true })).toBe('strict');
    expect(await outputOf({ kind: 'csv', rows: 10, abortOnError: false })).toBe('other');
  });

  it('Choice without a match or Default fails with States.NoChoiceMatched', async () => {
    const { result } = await run(
      {
        Route: { Type: 'Choice', Choices: [{ Variable: '$.a', StringEquals: 'x', Next: 'Done' }] },
        Done: { Type: 'Succeed' },
      },
      { a: 'y' },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  it('Wait sleeps Seconds or SecondsPath through the injected sleep', async () => {
    const { result, delays } = await run(
      {
        Fixed: { Type: 'Wait', Seconds: 5, Next: 'FromInput' },
        FromInput: { Type: 'Wait', SecondsPath: '$.delay', OutputPath: '$.delay', End: true },
      },
      { delay: 3 },
    );
    expect(delays).toEqual([5000, 3000]);
    expect(result).toEqual({ status: 'SUCCEEDED', output: 3 });
  });

  it('Succeed ends the execution with its (OutputPath-selected) input', async () => {
    const { result } = await run(
      { Done: { Type: 'Succeed', InputPath: '$.inner', OutputPath: '$.value' }, Never: { Type: 'Fail' } },
      { inner: { value: 42 } },
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: 42 });
  });

  it('Fail ends the execution with its Error and Cause, or those its paths select', async () => {
    expect((await run({ F: { Type: 'Fail', Error: 'Bad', Cause: 'why' } }, {})).result).toEqual({
      status: 'FAILED',
      error: 'Bad',
      cause: 'why',
    });
    expect(
      (await run({ F: { Type: 'Fail', ErrorPath: '$.e', CausePath: '$.c' } }, { e: 'E', c: 'C' })).result,
    ).toEqual({ status: 'FAILED', error: 'E', cause: 'C' });
    expect((await run({ F: { Type: 'Fail' } }, {})).result).toEqual({ status: 'FAILED' });
  });
});

describe('Task states', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies InputPath, Parameters, ResultSelector, ResultPath and OutputPath in order', async () => {
    const seen: unknown[] = [];
    const { result } = await run(
      {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:echo:live',
          InputPath: '$.job',
          Parameters: { 'id.$': '$.id', 'exec.$': '$$.Execution.Id', 'state.$': '$$.State.Name' },
          ResultSelector: { 'echoed.$': '$.id' },
          ResultPath: '$.job.result',
          OutputPath: '$.job',
          End: true,
        },
      },
      { job: { id: 'j1' }, other: 1 },
      {
        echo: async (input) => {
          seen.push(input);
          return input;
        },
      },
    );
    expect(seen).toEqual([
      { id: 'j1', exec: 'arn:aws:states:local:000000000000:execution:local:exec', state: 'T' },
    ]);
    expect(result.output).toEqual({ id: 'j1', result: { echoed: 'j1' } });
  });

  it('ResultPath null discards the result; lambda:invoke wraps it in Payload', async () => {
    const { result } = await run(
      {
        Discard: { Type: 'Task', Resource: 'noisy', ResultPath: null, Next: 'Invoke' },
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'noisy', 'Payload.$': '$' },
          ResultPath: '$.invoked',
          End: true,
        },
      },
      { a: 1 },
      { noisy: async (input) => ({ got: input }) },
    );
    expect(result.output).toEqual({
      a: 1,
      invoked: { ExecutedVersion: '$LATEST', Payload: { got: { a: 1 } }, StatusCode: 200 },
    });
  });

  it('States.TaskFailed catches any task error; the catcher ResultPath places Error and Cause', async () => {
    const { result } = await run(
      {
        T: {
          Type: 'Task',
          Resource: 'work',
          Catch: [
            { ErrorEquals: ['Other'], Next: 'Wrong' },
            { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Handled' },
          ],
          End: true,
        },
        Wrong: { Type: 'Fail' },
        Handled: { Type: 'Succeed' },
      },
      { a: 1 },
      {
        work: async () => {
          throw new TypeError('bad input');
        },
      },
    );
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: { a: 1, error: { Error: 'TypeError', Cause: 'bad input' } },
    });
  });

  it('caps the back-off at MaxDelaySeconds and retries only matching errors', async () => {
    let calls = 0;
    const { result, delays } = await run(
      {
        T: {
          Type: 'Task',
          Resource: 'work',
          Retry: [
            { ErrorEquals: ['Fatal'], MaxAttempts: 0 },
            {
              ErrorEquals: ['States.ALL'],
              IntervalSeconds: 3,
              BackoffRate: 4,
              MaxAttempts: 3,
              MaxDelaySeconds: 20,
            },
          ],
          End: true,
        },
      },
      {},
      {
        work: async () => {
          calls += 1;
          throw namedError(calls < 4 ? 'Flaky' : 'Fatal', 'nope');
        },
      },
    );
    expect(delays).toEqual([3000, 12000, 20000]);
    expect(result).toEqual({ status: 'FAILED', error: 'Fatal', cause: 'nope' });
  });

  it('a missing handler is a States.Runtime error that States.ALL does not catch', async () => {
    const { result } = await run(
      {
        T: {
          Type: 'Task',
          Resource: 'absent',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Ok' }],
          End: true,
        },
        Ok: { Type: 'Succeed' },
      },
      {},
    );
    expect(result).toEqual({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "No local task handler for 'absent'",
    });
  });

  it('a missing JSONPath in Parameters fails with States.Runtime', async () => {
    const { result } = await run(
      { T: { Type: 'Task', Resource: 'work', Parameters: { 'x.$': '$.missing' }, End: true } },
      {},
      { work: async () => 1 },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('TimeoutSeconds fails a slow task with States.Timeout', async () => {
    vi.useFakeTimers();
    const definition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'slow', TimeoutSeconds: 30, End: true } },
    };
    const tasks = { slow: () => new Promise<unknown>(() => {}) };
    const execution = createLocalExecutor({ definition, tasks, objects: memoryObjects() }).start('e', {});

    await vi.advanceTimersByTimeAsync(30_000);

    expect(await execution.result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });
});
