/**
 * Interprets a state graph (a state machine or a Map's ItemProcessor): moves from StartAt through the states,
 * applying InputPath -> Parameters -> work -> ResultSelector -> ResultPath -> OutputPath, with Retry and Catch on
 * Task and Map states. Stops before any further state, task or retry once the environment's signal aborts.
 */
import { chooseNext } from './choice-rules.js';
import type { StateDefinition, StateMachineDefinition } from './definition.js';
import {
  type ExecutionContext,
  type RunEnvironment,
  sleepUnlessStopped,
  throwIfStopped,
} from './environment.js';
import { ExecutionStopped, errorMatches, runtimeError, StatesError, toStatesError } from './errors.js';
import { applyResultPath, readPath } from './json-path.js';
import { runMapState } from './map-state.js';
import { evaluateTemplate } from './payload-template.js';
import { RetryPolicy } from './retry-policy.js';
import { invokeTaskResource } from './task-resource.js';

interface StateOutcome {
  readonly output: unknown;
  /** The next state's name; undefined when the graph ends here. */
  readonly next?: string;
}

/** The `$$` object a state sees: the execution context plus `$$.State`. */
type StateContext = ExecutionContext & {
  readonly State: { readonly Name: string; readonly EnteredTime: string; readonly RetryCount: number };
};

/**
 * Runs `graph` on `input` and resolves with its output. Rejects with a StatesError when the run fails (an uncaught
 * error or a Fail state) and with ExecutionStopped when the environment's signal aborts.
 */
export async function runStateMachine(
  graph: StateMachineDefinition,
  input: unknown,
  context: ExecutionContext,
  env: RunEnvironment,
): Promise<unknown> {
  let name = graph.StartAt;
  let current = input;
  for (;;) {
    throwIfStopped(env.signal);
    const state = graph.States[name];
    if (state === undefined) throw runtimeError(`No state named '${name}'`);
    const outcome = await runWithRetryAndCatch(name, state, current, context, env);
    if (outcome.next === undefined) return outcome.output;
    name = outcome.next;
    current = outcome.output;
  }
}

async function runWithRetryAndCatch(
  name: string,
  state: StateDefinition,
  rawInput: unknown,
  execution: ExecutionContext,
  env: RunEnvironment,
): Promise<StateOutcome> {
  const retries = new RetryPolicy(state.Retry ?? [], state.Type);
  const enteredTime = env.now().toISOString();
  for (;;) {
    const context: StateContext = {
      ...execution,
      State: { Name: name, EnteredTime: enteredTime, RetryCount: retries.retryCount },
    };
    try {
      return await runState(name, state, rawInput, context, env);
    } catch (thrown) {
      if (thrown instanceof ExecutionStopped) throw thrown;
      const error = toStatesError(thrown);
      const delay = retries.nextDelayMs(error);
      if (delay !== undefined) {
        await sleepUnlessStopped(env, delay);
        continue;
      }
      const catcher = state.Catch?.find((candidate) =>
        errorMatches(candidate.ErrorEquals, error, state.Type),
      );
      if (catcher === undefined) throw error;
      const errorOutput = { Error: error.name, Cause: error.cause };
      return {
        output: applyResultPath(rawInput, catcher.ResultPath ?? '$', errorOutput),
        next: catcher.Next,
      };
    }
  }
}

async function runState(
  name: string,
  state: StateDefinition,
  rawInput: unknown,
  context: StateContext,
  env: RunEnvironment,
): Promise<StateOutcome> {
  const effective = selectPath(state.InputPath, rawInput, context);
  const next = state.End ? undefined : state.Next;
  switch (state.Type) {
    case 'Pass': {
      const result =
        'Result' in state
          ? state.Result
          : state.Parameters
            ? evaluateTemplate(state.Parameters, effective, context)
            : effective;
      return { output: shapeOutput(state, rawInput, result, context), next };
    }
    case 'Task': {
      const taskInput = state.Parameters ? evaluateTemplate(state.Parameters, effective, context) : effective;
      throwIfStopped(env.signal);
      const result = await withTimeout(invokeTaskResource(env.tasks, state.Resource ?? '', taskInput), state);
      return { output: shapeOutput(state, rawInput, result ?? null, context, state.ResultSelector), next };
    }
    case 'Map': {
      const result = await runMapState(name, state, effective, context, env);
      return { output: shapeOutput(state, rawInput, result, context, state.ResultSelector), next };
    }
    case 'Choice':
      return {
        output: selectPath(state.OutputPath, effective, context),
        next: chooseNext(state, effective, context),
      };
    case 'Wait':
      await sleepUnlessStopped(env, waitMs(state, effective, context, env.now()));
      return { output: selectPath(state.OutputPath, effective, context), next };
    case 'Succeed':
      return { output: selectPath(state.OutputPath, effective, context) };
    case 'Fail':
      throw failure(state, effective, context);
  }
}

/** InputPath/OutputPath: absent selects everything, null selects `{}`. */
function selectPath(path: string | null | undefined, value: unknown, context: unknown): unknown {
  if (path === null) return {};
  return path === undefined ? value : readPath(path, value, context);
}

/** ResultSelector, then ResultPath against the raw input, then OutputPath. */
function shapeOutput(
  state: StateDefinition,
  rawInput: unknown,
  result: unknown,
  context: StateContext,
  resultSelector?: StateDefinition['ResultSelector'],
): unknown {
  const selected = resultSelector ? evaluateTemplate(resultSelector, result, context) : result;
  const placed = applyResultPath(rawInput, state.ResultPath, selected);
  return selectPath(state.OutputPath, placed, context);
}

function waitMs(state: StateDefinition, input: unknown, context: unknown, now: Date): number {
  if (state.Seconds !== undefined) return state.Seconds * 1000;
  if (state.SecondsPath !== undefined) {
    const seconds = readPath(state.SecondsPath, input, context);
    if (typeof seconds !== 'number' || seconds < 0) {
      throw runtimeError(`SecondsPath '${state.SecondsPath}' must select a non-negative number`);
    }
    return seconds * 1000;
  }
  const timestamp =
    state.Timestamp ?? (state.TimestampPath ? readPath(state.TimestampPath, input, context) : undefined);
  const until = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(until))
    throw runtimeError('A Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath');
  return Math.max(0, until - now.getTime());
}

function failure(state: StateDefinition, input: unknown, context: unknown): StatesError {
  const error = state.ErrorPath === undefined ? state.Error : readPath(state.ErrorPath, input, context);
  const cause = state.CausePath === undefined ? state.Cause : readPath(state.CausePath, input, context);
  return new StatesError(String(error ?? ''), String(cause ?? ''));
}

/** TimeoutSeconds on a Task: the task is abandoned (left running) and the state fails with States.Timeout. */
async function withTimeout(task: Promise<unknown>, state: StateDefinition): Promise<unknown> {
  if (state.TimeoutSeconds === undefined) return task;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StatesError('States.Timeout', `Task timed out after ${state.TimeoutSeconds} seconds`)),
      state.TimeoutSeconds! * 1000,
    );
  });
  try {
    return await Promise.race([task, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
