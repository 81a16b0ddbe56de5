import { describe, expect, it } from 'vitest';
import type { TaskHandler } from '../../../local/asl/task-resource.js';
import { localStepTasks, type StepCores } from '../../../local/local-step-tasks.js';
import { StepFunctionsWorkflow } from '../../../local/step-functions-workflow.js';
import { deferred, memoryObjects, recordingSleep } from './asl/fixtures.js';
import { contractDefinition, JOB_BUCKET } from './fixtures/job-definition.js';

type Call = { step: string; event: unknown };

/** A workflow over the contract definition with recording step cores; `overrides` replace single cores. */
function harness(options: {
  chunks: number;
  workers?: readonly string[];
  numConcurrent?: number;
  overrides?: Partial<StepCores>;
}) {
  const calls: Call[] = [];
  const errors: unknown[] = [];
  const failed: [string, string][] = [];
  const recorded =
    (step: string, core: TaskHandler): TaskHandler =>
    async (event) => {
      calls.push({ step, event });
      return core(event);
    };
  const items = Array.from({ length: options.chunks }, (_, index) => ({
    jobId: 'job-1',
    index,
    worker: options.workers?.[index] ?? 'lambda',
  }));
  const cores: StepCores = {
    prepare: async (event) => ({
      jobId: (event as { jobId: string }).jobId,
      numConcurrent: (event as { numConcurrent: number }).numConcurrent,
      chunksTotal: options.chunks,
      itemsKey: 'jobs/job-1/chunk-items.json',
      aborted: false,
    }),
    scoreChunk: async () => ({ outcome: 'scored' }),
    finalize: async () => ({ ok: true }),
    fail: async () => ({ ok: true }),
    ...options.overrides,
  };
  const workflow = new StepFunctionsWorkflow({
    definition: contractDefinition(),
    tasks: localStepTasks({
      prepare: recorded('prepare', cores.prepare),
      scoreChunk: recorded('score', cores.scoreChunk),
      finalize: recorded('finalize', cores.finalize),
      fail: recorded('fail', cores.fail),
    }),
    objects: memoryObjects({ [`${JOB_BUCKET}/jobs/job-1/chunk-items.json`]: items }),
    numConcurrentOf: async () => options.numConcurrent ?? 2,
    sleep: recordingSleep().sleep,
    failJob: async (jobId, reason) => failed.push([jobId, reason]),
    onUnexpectedError: (_jobId, error) => errors.push(error),
  });
  const steps = (step: string) => calls.filter((c) => c.step === step).map((c) => c.event);
  return { workflow, calls, errors, failed, steps };
}

describe('StepFunctionsWorkflow', () => {
  it('runs prepare, every chunk on the worker its item names, and finalize, with the job as input', async () => {
    const { workflow, steps, errors } = harness({ chunks: 3, workers: ['lambda', 'fargate', 'lambda'] });
    await workflow.start('job-1');
    await workflow.idle();

    expect(steps('prepare')).toEqual([{ jobId: 'job-1', numConcurrent: 2 }]);
    expect(steps('score')).toEqual(
      expect.arrayContaining([
        { jobId: 'job-1', index: 0, worker: 'lambda' },
        { jobId: 'job-1', index: 1, worker: 'fargate' },
        { jobId: 'job-1', index: 2, worker: 'lambda' },
      ]),
    );
    expect(steps('score')).toHaveLength(3);
    expect(steps('finalize')).toEqual([{ jobId: 'job-1' }]);
    expect(steps('fail')).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('scores at most numConcurrent chunks at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const { workflow, steps } = harness({
      chunks: 6,
      numConcurrent: 3,
      overrides: {
        scoreChunk: async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return {};
        },
      },
    });
    await workflow.start('job-1');
    await workflow.idle();
    expect(steps('score')).toHaveLength(6);
    expect(peak).toBe(3);
  });

  it('starts a job once while its execution runs', async () => {
    const release = deferred();
    const { workflow, steps } = harness({
      chunks: 1,
      overrides: {
        scoreChunk: async () => {
          await release.promise;
          return {};
        },
      },
    });
    await workflow.start('job-1');
    await workflow.start('job-1');
    release.resolve();
    await workflow.idle();
    expect(steps('prepare')).toHaveLength(1);
    expect(steps('finalize')).toHaveLength(1);
  });

  it('on stop, lets the chunk in flight finish and starts nothing further', async () => {
    const scoring = deferred();
    const release = deferred();
    const { workflow, steps } = harness({
      chunks: 4,
      numConcurrent: 1,
      overrides: {
        scoreChunk: async () => {
          scoring.resolve();
          await release.promise;
          return {};
        },
      },
    });
    await workflow.start('job-1');
    await scoring.promise;
    await workflow.stop('job-1');
    let idle = false;
    const idling = workflow.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(idle).toBe(false);
    release.resolve();
    await idling;

    expect(steps('score')).toHaveLength(1);
    expect(steps('finalize')).toEqual([]);
    expect(steps('fail')).toEqual([]);
  });

  it('fails the job through FailJob when a chunk fails, which is no unexpected error', async () => {
    const { workflow, steps, errors, failed } = harness({
      chunks: 2,
      overrides: {
        scoreChunk: async () => {
          throw Object.assign(new Error('disk on fire'), { name: 'FireError' });
        },
      },
    });
    await workflow.start('job-1');
    await workflow.idle();
    expect(steps('fail')).toEqual([
      {
        jobId: 'job-1',
        error: { Error: 'States.ExceedToleratedFailureThreshold', Cause: expect.any(String) },
      },
    ]);
    expect(steps('finalize')).toEqual([]);
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('reports and ends a job whose failure path itself failed', async () => {
    const { workflow, errors, failed } = harness({
      chunks: 1,
      overrides: {
        finalize: async () => {
          throw new Error('finalize broke');
        },
        fail: async () => {
          throw Object.assign(new Error('store down'), { name: 'StoreDown' });
        },
      },
    });
    await workflow.start('job-1');
    await workflow.idle();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('StoreDown: store down');
    expect(failed).toEqual([
      [
        'job-1',
        expect.stringMatching(/^The job could not be completed: its workflow failed: StoreDown: store down/),
      ],
    ]);
  });

  it('reports and ends a job whose execution input cannot be read, without running it', async () => {
    const errors: unknown[] = [];
    const failed: string[] = [];
    const workflow = new StepFunctionsWorkflow({
      definition: contractDefinition(),
      tasks: {},
      objects: memoryObjects(),
      numConcurrentOf: async () => {
        throw new Error('no such job');
      },
      failJob: async (jobId, reason) => failed.push(`${jobId}: ${reason}`),
      onUnexpectedError: (jobId, error) => errors.push([jobId, String(error)]),
    });
    await workflow.start('job-9');
    await workflow.idle();
    expect(errors).toEqual([['job-9', 'Error: no such job']]);
    expect(failed).toEqual(['job-9: The job could not be completed: no such job']);
  });

  it('close stops every execution and waits for them', async () => {
    const scoring = deferred();
    const { workflow, steps } = harness({
      chunks: 3,
      numConcurrent: 1,
      overrides: {
        scoreChunk: async () => {
          scoring.resolve();
          return {};
        },
      },
    });
    await workflow.start('job-1');
    await scoring.promise;
    await workflow.close();
    expect(steps('score').length).toBeLessThan(3);
    expect(steps('finalize')).toEqual([]);
  });
});
