/**
 * Step Functions errors: a named Error plus a Cause, matched by Retry and Catch `ErrorEquals` the way the service
 * matches them (States.ALL, States.TaskFailed, and the terminal States.Runtime that nothing catches).
 */

/** An error as Step Functions reports it: `name` is the Error field, `cause` the Cause field. */
export class StatesError extends Error {
  constructor(
    name: string,
    override readonly cause: string,
  ) {
    super(cause);
    this.name = name;
  }
}

/** Thrown inside a run once its execution is stopped; never caught or retried by the definition. */
export class ExecutionStopped extends Error {
  constructor() {
    super('execution stopped');
    this.name = 'ExecutionStopped';
  }
}

export const STATES_ALL = 'States.ALL';
export const STATES_TASK_FAILED = 'States.TaskFailed';
export const STATES_RUNTIME = 'States.Runtime';
export const STATES_TIMEOUT = 'States.Timeout';

/** A States.Runtime error: a malformed definition or input, which fails the execution whatever it catches. */
export function runtimeError(cause: string): StatesError {
  return new StatesError(STATES_RUNTIME, cause);
}

/**
 * Converts what a task (or a Map item runner) threw into a StatesError: an Error keeps its `name` as Error and
 * its message as Cause; anything else becomes States.TaskFailed with its string form.
 */
export function toStatesError(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  if (thrown instanceof Error) return new StatesError(thrown.name || 'Error', thrown.message);
  return new StatesError(
    STATES_TASK_FAILED,
    typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? ''),
  );
}

/**
 * Whether a Retrier's or Catcher's `errorEquals` matches `error` raised by a state of type `stateType`.
 * States.ALL matches anything but States.Runtime; States.TaskFailed matches any Task error but States.Timeout.
 */
export function errorMatches(errorEquals: readonly string[], error: StatesError, stateType: string): boolean {
  if (error.name === STATES_RUNTIME) return false;
  return errorEquals.some(
    (name) =>
      name === error.name ||
      name === STATES_ALL ||
      (name === STATES_TASK_FAILED && stateType === 'Task' && error.name !== STATES_TIMEOUT),
  );
}
