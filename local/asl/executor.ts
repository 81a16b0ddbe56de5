/**
 * The local Step Functions executor: runs a parsed ASL definition (the one CDK synthesizes) with local task
 * handlers and an object store standing in for S3, one execution per `start`.
 */
import { validateDefinition } from './definition.js';
import type { ExecutionContext, MapItemRunner, RunEnvironment } from './environment.js';
import { toStatesError } from './errors.js';
import { runStateMachine } from './interpreter.js';
import type { JsonObjectStore } from './object-store.js';
import type { TaskHandlers } from './task-resource.js';

/** Map concurrency when the definition leaves it unbounded (MaxConcurrency 0 or absent). */
export const DEFAULT_MAX_CONCURRENCY = 40;

export interface LocalExecutorOptions {
  /** The parsed ASL definition. */
  readonly definition: unknown;
  /** Task handlers by function name, full ARN or ARN suffix. */
  readonly tasks: TaskHandlers;
  readonly objects: JsonObjectStore;
  /** Waits for Wait states and Retry back-off (default: a real timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Runs each Map item (default: the ItemProcessor in this process, with the same tasks and objects). */
  readonly runMapItem?: MapItemRunner;
  /** Names the state machine in execution ARNs (default `local`). */
  readonly stateMachineName?: string;
  /** Map concurrency when the definition leaves it unbounded (default 40). */
  readonly defaultMaxConcurrency?: number;
}

export interface ExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export interface Execution {
  /** The execution ARN, also `$$.Execution.Id`. */
  readonly id: string;
  /** Settles once the execution ends; never rejects. ABORTED as soon as `stop` is called. */
  readonly result: Promise<ExecutionResult>;
  /** Resolves once the work the execution started (tasks and Map items in flight) has finished. */
  readonly settled: Promise<void>;
  /** Aborts the execution: nothing further starts; work in flight is left to finish and its results ignored. */
  stop(error?: string, cause?: string): void;
}

export interface LocalExecutor {
  start(executionName: string, input: unknown): Execution;
}

/**
 * Creates an executor for `options.definition`, validated up front against the supported ASL subset (Task, Map in
 * Distributed or Inline mode with ItemReader/ResultWriter, Choice, Pass, Wait, Succeed, Fail; JSONPath only).
 */
export function createLocalExecutor(options: LocalExecutorOptions): LocalExecutor {
  const definition = validateDefinition(options.definition);
  const machineName = options.stateMachineName ?? 'local';
  const machine = { Id: `arn:aws:states:local:000000000000:stateMachine:${machineName}`, Name: machineName };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  return {
    start(executionName, input) {
      const controller = new AbortController();
      const env: RunEnvironment = {
        tasks: options.tasks,
        objects: options.objects,
        sleep,
        now: () => new Date(),
        signal: controller.signal,
        runMapItem:
          options.runMapItem ?? ((run) => runStateMachine(run.processor, run.input, run.context, env)),
        defaultMaxConcurrency: options.defaultMaxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      };
      const id = `arn:aws:states:local:000000000000:execution:${machineName}:${executionName}`;
      const context: ExecutionContext = {
        Execution: { Id: id, Name: executionName, Input: input, StartTime: env.now().toISOString() },
        StateMachine: machine,
      };

      let outcome: ExecutionResult | undefined;
      let resolveResult: (result: ExecutionResult) => void = () => {};
      const result = new Promise<ExecutionResult>((resolve) => {
        resolveResult = resolve;
      });
      const finish = (ending: ExecutionResult): void => {
        if (outcome !== undefined) return;
        outcome = ending;
        resolveResult(ending);
      };
      const settled = runStateMachine(definition, input, context, env).then(
        (output) => finish({ status: 'SUCCEEDED', output }),
        (thrown: unknown) => finish(failed(thrown)),
      );

      return {
        id,
        result,
        settled,
        stop(error, cause) {
          if (outcome !== undefined) return;
          finish({ status: 'ABORTED', error, cause });
          controller.abort();
        },
      };
    },
  };
}

function failed(thrown: unknown): ExecutionResult {
  const error = toStatesError(thrown);
  // A Fail state without Error or Cause leaves them out, as DescribeExecution does.
  return { status: 'FAILED', error: error.name || undefined, cause: error.cause || undefined };
}
