/**
 * What a run of a state graph needs from outside: task handlers, the object store, a clock, the stop signal, and
 * the runner for Map items; plus the context object (`$$`) a run starts from.
 */
import type { StateMachineDefinition } from './definition.js';
import { ExecutionStopped } from './errors.js';
import type { JsonObjectStore } from './object-store.js';
import type { TaskHandlers } from './task-resource.js';

/** The static part of the context object: `$$.Execution` and `$$.StateMachine`. */
export interface ExecutionContext {
  readonly Execution: {
    readonly Id: string;
    readonly Name: string;
    readonly Input: unknown;
    readonly StartTime: string;
  };
  readonly StateMachine: { readonly Id: string; readonly Name: string };
}

/** One Map item to run: its ItemProcessor graph, its input (after ItemSelector) and its child execution context. */
export interface MapItemRun {
  readonly mapStateName: string;
  readonly index: number;
  readonly processor: StateMachineDefinition;
  readonly input: unknown;
  readonly context: ExecutionContext;
  /** Aborted when the parent execution stops; a runner may use it to cancel its work. */
  readonly signal: AbortSignal;
}

/**
 * Runs one Map item's child execution and resolves with its output, or rejects with the error that failed it
 * (its `name` is the Error, its message the Cause). The default runs the ItemProcessor in this process; a caller
 * may dispatch to worker threads instead.
 */
export type MapItemRunner = (run: MapItemRun) => Promise<unknown>;

export interface RunEnvironment {
  readonly tasks: TaskHandlers;
  readonly objects: JsonObjectStore;
  /** Waits `ms` milliseconds (Wait states, Retry back-off); injectable so tests do not wait. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  readonly signal: AbortSignal;
  readonly runMapItem: MapItemRunner;
  /** Map concurrency used when MaxConcurrency is 0 or absent. */
  readonly defaultMaxConcurrency: number;
}

/** Throws ExecutionStopped once the execution has been stopped, so no further state, task or item begins. */
export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new ExecutionStopped();
}

/** Sleeps via the environment, waking early (with ExecutionStopped) when the execution is stopped. */
export async function sleepUnlessStopped(env: RunEnvironment, ms: number): Promise<void> {
  throwIfStopped(env.signal);
  let onAbort = (): void => {};
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ExecutionStopped());
    env.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([env.sleep(ms), stopped]);
  } finally {
    env.signal.removeEventListener('abort', onAbort);
  }
}
