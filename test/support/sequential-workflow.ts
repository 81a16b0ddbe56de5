/**
 * A Workflow for use-case tests: runs a job's steps (runJob) in this process, one chunk at a time, without the
 * state machine. The product runs jobs through the synthesized state machine (local/step-functions-workflow.ts).
 */
import type { Workflow } from '../../shared/ports/workflow.js';
import type { Deps } from '../../shared/use-cases/deps.js';
import { ModelCache } from '../../shared/use-cases/jobs/model-cache.js';
import { runJob } from './run-job.js';

export interface SequentialWorkflowOptions {
  /** Loaded models shared by the runs (default: a cache of two models, owned and closed by this workflow). */
  readonly models?: ModelCache;
  /** Told about errors the job could not be failed for, or that failing it raised (default: console.error). */
  readonly onUnexpectedError?: (jobId: string, error: unknown) => void;
}

export class SequentialWorkflow implements Workflow {
  /** Runs in progress by job id, each resolving when its run ends (it never rejects). */
  private readonly runs = new Map<string, Promise<void>>();
  /** Jobs asked to stop; their runs end before their next step. */
  private readonly stopping = new Set<string>();
  private readonly models: ModelCache;
  private readonly ownsModels: boolean;
  private readonly onUnexpectedError: (jobId: string, error: unknown) => void;

  /** @param deps the use cases' dependencies, or a getter for them (they include this workflow). */
  constructor(
    private readonly deps: Deps | (() => Deps),
    options: SequentialWorkflowOptions = {},
  ) {
    this.models = options.models ?? new ModelCache();
    this.ownsModels = options.models === undefined;
    this.onUnexpectedError =
      options.onUnexpectedError ??
      ((jobId, error) => console.error(`job ${jobId} failed unexpectedly`, error));
  }

  /** Starts the job's run in the background; a job already running is not started twice. */
  async start(jobId: string): Promise<void> {
    if (this.runs.has(jobId)) return;
    const done = this.run(jobId).finally(() => {
      this.runs.delete(jobId);
      this.stopping.delete(jobId);
    });
    this.runs.set(jobId, done);
  }

  /** Makes the job's run stop before its next step (the chunk being scored finishes first). */
  async stop(jobId: string): Promise<void> {
    if (this.runs.has(jobId)) this.stopping.add(jobId);
  }

  /** Resolves once no job is running, including runs started while waiting. */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all(this.runs.values());
  }

  /** Stops every run, waits for them and disposes the models this workflow loaded. */
  async close(): Promise<void> {
    for (const jobId of this.runs.keys()) this.stopping.add(jobId);
    await this.idle();
    if (this.ownsModels) await this.models.clear();
  }

  private async run(jobId: string): Promise<void> {
    const deps = typeof this.deps === 'function' ? this.deps() : this.deps;
    await runJob(deps, jobId, {
      models: this.models,
      stopRequested: () => this.stopping.has(jobId),
      onUnexpectedError: (error) => this.onUnexpectedError(jobId, error),
    });
  }
}
