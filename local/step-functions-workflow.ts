/**
 * The embedded stack's Workflow: one execution of the synthesized state machine per job, run by the local executor
 * with the step handlers' cores as its tasks. As on AWS (shared/adapters/sfn), the execution is named after the
 * job, its input is `{ jobId, numConcurrent }`, and stopping it lets work in flight finish while nothing further
 * starts.
 */
import type { JobExecutionInput } from '../shared/adapters/sfn/step-functions-workflow.js';
import type { Workflow } from '../shared/ports/workflow.js';
import { createLocalExecutor, type Execution, type LocalExecutor } from './asl/executor.js';
import type { JsonObjectStore } from './asl/object-store.js';
import type { TaskHandlers } from './asl/task-resource.js';

export interface StepFunctionsWorkflowOptions {
  /** The parsed ASL definition (loadLocalDefinition). */
  readonly definition: unknown;
  /** Local handlers for the definition's tasks, by function name or resource ARN. */
  readonly tasks: TaskHandlers;
  /** The bucket the Map state's ItemReader reads the chunk items from. */
  readonly objects: JsonObjectStore;
  /** The job's numConcurrent (its spec), which bounds the Map's concurrency. */
  readonly numConcurrentOf: (jobId: string) => Promise<number>;
  /** Waits for Retry back-off (default: a real timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Ends a job whose execution could not carry it to an end: one that failed other than through the definition's
   * own Fail states (its failure path itself failed), or could not start. Without it the job would keep its slot.
   */
  readonly failJob: (jobId: string, reason: string) => Promise<unknown>;
  /** Told about those executions, and about failJob failing (default: console.error). */
  readonly onUnexpectedError?: (jobId: string, error: unknown) => void;
}

export class StepFunctionsWorkflow implements Workflow {
  private readonly executor: LocalExecutor;
  /** Runs by job id, from start until the execution and the work it started have settled; they never reject. */
  private readonly runs = new Map<string, Promise<void>>();
  private readonly executions = new Map<string, Execution>();
  private readonly stopping = new Set<string>();
  /** The Error of every Fail state: an execution ending with one of these ended as designed. */
  private readonly designedFailures: ReadonlySet<string>;
  private readonly onUnexpectedError: (jobId: string, error: unknown) => void;

  constructor(private readonly options: StepFunctionsWorkflowOptions) {
    this.executor = createLocalExecutor({
      definition: options.definition,
      tasks: options.tasks,
      objects: options.objects,
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      stateMachineName: 'batchline-jobs',
    });
    this.designedFailures = failStateErrors(options.definition);
    this.onUnexpectedError =
      options.onUnexpectedError ??
      ((jobId, error) => console.error(`job ${jobId}: workflow failed unexpectedly`, error));
  }

  /** Starts the job's execution; a job whose execution is still running is not started again. */
  async start(jobId: string): Promise<void> {
    if (this.runs.has(jobId)) return;
    const run = this.run(jobId).finally(() => {
      this.runs.delete(jobId);
      this.executions.delete(jobId);
      this.stopping.delete(jobId);
    });
    this.runs.set(jobId, run);
  }

  /** Stops the job's execution: no further step or chunk starts; chunks being scored finish. */
  async stop(jobId: string): Promise<void> {
    if (!this.runs.has(jobId)) return;
    this.stopping.add(jobId);
    this.executions.get(jobId)?.stop('JobAborted', 'The job was aborted');
  }

  /** Resolves once no execution is running, including executions started while waiting. */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all(this.runs.values());
  }

  /** Stops every execution and waits for the work in flight. */
  async close(): Promise<void> {
    for (const jobId of this.runs.keys()) await this.stop(jobId);
    await this.idle();
  }

  private async run(jobId: string): Promise<void> {
    let input: JobExecutionInput;
    try {
      input = { jobId, numConcurrent: await this.options.numConcurrentOf(jobId) };
    } catch (error) {
      await this.failUnexpectedly(jobId, error);
      return;
    }
    if (this.stopping.has(jobId)) return;
    const execution = this.executor.start(jobId, input);
    this.executions.set(jobId, execution);
    const result = await execution.result;
    await execution.settled;
    if (result.status === 'FAILED' && !this.designedFailures.has(result.error ?? '')) {
      await this.failUnexpectedly(jobId, new Error(`its workflow failed: ${result.error}: ${result.cause}`));
    }
  }

  private async failUnexpectedly(jobId: string, error: unknown): Promise<void> {
    this.onUnexpectedError(jobId, error);
    const detail = error instanceof Error ? error.message : String(error);
    try {
      await this.options.failJob(jobId, `The job could not be completed: ${detail}`);
    } catch (failure) {
      this.onUnexpectedError(jobId, failure);
    }
  }
}

/** The Error names of the definition's top-level Fail states. */
function failStateErrors(definition: unknown): ReadonlySet<string> {
  const states =
    (definition as { States?: Record<string, { Type?: unknown; Error?: unknown }> }).States ?? {};
  return new Set(
    Object.values(states)
      .filter((state) => state.Type === 'Fail' && typeof state.Error === 'string')
      .map((state) => state.Error as string),
  );
}
