/**
 * Queue tests on the job harness's emulated stores: jobs on chosen deployments, deps with a chosen slot limit and
 * clock, and a StepWorkflow that runs what the state machine runs (prepare, every chunk, finalize; any step
 * error goes to failJob as the definition's Catch -> FailJob does) in the background, recording the order jobs
 * start in and how many of a deployment's jobs were active at each start.
 */
import { randomBytes } from 'node:crypto';
import { initialJobRecord, isTerminal, type JobRecord } from '../../../../shared/domain/job.js';
import { parseJobSpec } from '../../../../shared/domain/job-spec.js';
import type { Workflow } from '../../../../shared/ports/workflow.js';
import type { Deps } from '../../../../shared/use-cases/deps.js';
import { failJob } from '../../../../shared/use-cases/jobs/fail-job.js';
import { finalizeJob } from '../../../../shared/use-cases/jobs/finalize-job.js';
import { completeInput, putInputPart } from '../../../../shared/use-cases/jobs/input-upload.js';
import type { ModelCache } from '../../../../shared/use-cases/jobs/model-cache.js';
import { prepareJob } from '../../../../shared/use-cases/jobs/prepare-job.js';
import { scoreChunkStep } from '../../../../shared/use-cases/jobs/score-chunk-step.js';
import { type JobHarness, OWNER } from './harness.js';

/** A fresh deployment id, so tests in one file never share a queue. */
export function newDeployment(): string {
  return `dep-${randomBytes(6).toString('hex')}`;
}

let lastCreated = Date.now();

/** Creates an INITIALIZING localFile job on `deploymentId`, each one a millisecond after the one before. */
export async function createJobOn(h: JobHarness, deploymentId: string): Promise<JobRecord> {
  lastCreated = Math.max(lastCreated + 1, Date.now());
  const job = initialJobRecord({
    id: h.manual.newId(),
    ownerId: OWNER,
    deploymentId,
    modelVersionId: h.modelPackageId,
    spec: parseJobSpec({ deploymentId }),
    created: new Date(lastCreated).toISOString(),
  });
  await h.manual.jobs.create(job);
  return job;
}

/** Uploads the input as one part and completes it, which queues the job. */
export async function uploadInput(deps: Deps, jobId: string, input: string): Promise<void> {
  await putInputPart(deps, jobId, 0, Buffer.from(input));
  await completeInput(deps, jobId);
}

export interface QueueDepsOptions {
  readonly limit?: number;
  readonly runtimeLimitHours?: number;
  /** Added to the real time the clock reads. */
  readonly clockOffsetMs?: () => number;
}

/** The harness's stores with this workflow, slot limit and clock. */
export function queueDeps(h: JobHarness, workflow: Workflow, options: QueueDepsOptions = {}): Deps {
  const offset = options.clockOffsetMs ?? (() => 0);
  return {
    ...h.manual,
    workflow,
    clock: { now: () => new Date(Date.now() + offset()) },
    config: {
      ...h.manual.config,
      maxConcurrentJobsPerDeployment: options.limit,
      jobRuntimeLimitHours: options.runtimeLimitHours,
    },
  };
}

/** A promise a test opens by hand, to hold a step at a chosen point. */
export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

/** A closed gate. */
export function gate(): Gate {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Runs the state machine's steps in the background; starting a job twice starts it once, as the port requires. */
export class StepWorkflow implements Workflow {
  /** Job ids in the order they were started. */
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  /** Per deployment, the most of its jobs that were started and not ended at once (counted at each start). */
  readonly peakActive = new Map<string, number>();
  private readonly runs = new Map<string, Promise<void>>();
  private readonly holds = new Map<string, Gate>();
  private readonly crashing = new Set<string>();
  private deps: Deps | undefined;

  constructor(private readonly models: ModelCache) {}

  /** The deps runs use (they include this workflow, so they are attached after construction). */
  attach(deps: Deps): Deps {
    this.deps = deps;
    return deps;
  }

  /** The job's run waits before finalizing (RUNNING, all chunks scored) until {@link release}. */
  hold(jobId: string): void {
    this.holds.set(jobId, gate());
  }

  release(jobId: string): void {
    this.holds.get(jobId)?.open();
  }

  /** The job's second chunk throws, as a worker crashing mid-run would. */
  crashMidRun(jobId: string): void {
    this.crashing.add(jobId);
  }

  async start(jobId: string): Promise<void> {
    if (this.runs.has(jobId)) return;
    this.started.push(jobId);
    this.runs.set(
      jobId,
      this.countActive(jobId).then(() => this.run(jobId)),
    );
  }

  async stop(jobId: string): Promise<void> {
    this.stopped.push(jobId);
  }

  /** Resolves once every run started so far, and every run they started, has ended. */
  async idle(): Promise<void> {
    let count = -1;
    while (count !== this.runs.size) {
      count = this.runs.size;
      await Promise.all(this.runs.values());
    }
  }

  private get current(): Deps {
    if (!this.deps) throw new Error('attach the deps first');
    return this.deps;
  }

  private async countActive(jobId: string): Promise<void> {
    const jobs = await Promise.all(this.started.map((id) => this.current.jobs.getById(id)));
    const deploymentId = jobs.find((job) => job?.id === jobId)?.deploymentId;
    const active = jobs.filter((job) => job && job.deploymentId === deploymentId && !isTerminal(job.status));
    const deployment = deploymentId ?? 'unknown';
    this.peakActive.set(deployment, Math.max(this.peakActive.get(deployment) ?? 0, active.length));
  }

  private async run(jobId: string): Promise<void> {
    const deps = this.current;
    try {
      const prepared = await prepareJob(deps, jobId, this.models);
      if (!prepared) return;
      for (let index = 0; index < prepared.chunksTotal; index++) {
        if (index === 1 && this.crashing.has(jobId)) throw new Error('the chunk worker crashed');
        if ((await scoreChunkStep(deps, jobId, index, this.models)) === 'stopped') return;
      }
      await this.holds.get(jobId)?.opened;
      await finalizeJob(deps, jobId);
    } catch (error) {
      await failJob(deps, jobId, `The job could not be completed: ${(error as Error).message}`);
    }
  }
}

/** Workflow that only records starts and stops. */
export class RecordingWorkflow implements Workflow {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  async start(jobId: string): Promise<void> {
    this.started.push(jobId);
  }
  async stop(jobId: string): Promise<void> {
    this.stopped.push(jobId);
  }
}
