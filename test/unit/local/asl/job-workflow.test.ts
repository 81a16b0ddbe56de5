import { describe, expect, it } from 'vitest';
import { createLocalExecutor } from '../../../../local/asl/executor.js';
import type { TaskHandler } from '../../../../local/asl/task-resource.js';
import { deferred, flush, jobDefinition, memoryObjects, namedError, recordingSleep } from './fixtures.js';

interface Harness {
  readonly calls: Record<string, unknown[]>;
  readonly delays: number[];
  readonly executor: ReturnType<typeof createLocalExecutor>;
}

/** Runs jobDefinition() with `chunks` chunk items and `numConcurrent`; `scoreChunk` replaces the default scorer. */
function harness(options: {
  chunks: number;
  numConcurrent: number;
  scoreChunk?: TaskHandler;
  prepare?: TaskHandler;
  defaultMaxConcurrency?: number;
}): Harness {
  const calls: Record<string, unknown[]> = { prepare: [], score: [], finalize: [], failJob: [] };
  const record =
    (name: string, handler: TaskHandler): TaskHandler =>
    async (input) => {
      calls[name]?.push(input);
      return handler(input);
    };
  const { delays, sleep } = recordingSleep();
  const manifest = Array.from({ length: options.chunks }, (_, index) => ({ key: `chunks/${index}` }));
  const executor = createLocalExecutor({
    definition: jobDefinition(),
    objects: memoryObjects({ 'jobs/job-1/manifest.json': manifest }),
    sleep,
    defaultMaxConcurrency: options.defaultMaxConcurrency,
    tasks: {
      prepare: record(
        'prepare',
        options.prepare ??
          (async () => ({ manifestKey: 'job-1/manifest.json', numConcurrent: options.numConcurrent })),
      ),
      'score-chunk': record('score', options.scoreChunk ?? (async (input) => input)),
      finalize: record('finalize', async () => ({ status: 'COMPLETED' })),
      'fail-job': record('failJob', async () => ({ ok: true })),
    },
  });
  return { calls, delays, executor };
}

/** A chunk scorer that counts how many calls run at once. */
function countingScorer(): { readonly peak: () => number; readonly handler: TaskHandler } {
  let inFlight = 0;
  let peak = 0;
  return {
    peak: () => peak,
    handler: async (input) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return input;
    },
  };
}

describe('local executor on a job-shaped definition', () => {
  it('runs Prepare, every chunk item and Finalize, passing execution id, item value and index', async () => {
    const { calls, executor } = harness({ chunks: 3, numConcurrent: 2 });
    const execution = executor.start('job-1-run', { jobId: 'job-1' });

    expect(await execution.result).toEqual({ status: 'SUCCEEDED', output: { status: 'COMPLETED' } });
    expect(execution.id).toBe('arn:aws:states:local:000000000000:execution:local:job-1-run');
    expect(calls.prepare).toEqual([{ jobId: 'job-1', executionId: execution.id }]);
    expect(calls.score).toEqual([
      { jobId: 'job-1', chunk: { key: 'chunks/0' }, index: 0 },
      { jobId: 'job-1', chunk: { key: 'chunks/1' }, index: 1 },
      { jobId: 'job-1', chunk: { key: 'chunks/2' }, index: 2 },
    ]);
    // ResultPath null on the Map keeps the input, so Finalize still sees the job id.
    expect(calls.finalize).toEqual([{ jobId: 'job-1' }]);
    expect(calls.failJob).toEqual([]);
  });

  it.each([1, 3])('keeps at most MaxConcurrencyPath = %i chunk items in flight', async (numConcurrent) => {
    const scorer = countingScorer();
    const { calls, executor } = harness({ chunks: 10, numConcurrent, scoreChunk: scorer.handler });

    expect((await executor.start('run', { jobId: 'job-1' }).result).status).toBe('SUCCEEDED');
    expect(calls.score).toHaveLength(10);
    expect(scorer.peak()).toBe(numConcurrent);
  });

  it('caps an unbounded MaxConcurrency (0) at the default', async () => {
    const scorer = countingScorer();
    const { executor } = harness({
      chunks: 10,
      numConcurrent: 0,
      scoreChunk: scorer.handler,
      defaultMaxConcurrency: 4,
    });

    expect((await executor.start('run', { jobId: 'job-1' }).result).status).toBe('SUCCEEDED');
    expect(scorer.peak()).toBe(4);
  });

  it('retries a transient chunk failure with exponential back-off, then succeeds', async () => {
    let failuresLeft = 2;
    const { calls, delays, executor } = harness({
      chunks: 2,
      numConcurrent: 1,
      scoreChunk: async (input) => {
        if (failuresLeft-- > 0) throw namedError('TransientError', 'throttled');
        return input;
      },
    });

    expect((await executor.start('run', { jobId: 'job-1' }).result).status).toBe('SUCCEEDED');
    expect(delays).toEqual([2000, 4000]);
    expect(calls.score).toHaveLength(4);
  });

  it('takes the Catch path with Error and Cause once retries are exhausted', async () => {
    const { calls, delays, executor } = harness({
      chunks: 1,
      numConcurrent: 1,
      prepare: async () => {
        throw namedError('TransientError', 'database busy');
      },
    });

    const result = await executor.start('run', { jobId: 'job-1' }).result;

    expect(calls.prepare).toHaveLength(3);
    expect(delays).toEqual([1000, 2000]);
    expect(calls.failJob).toEqual([{ jobId: 'job-1', error: 'TransientError', cause: 'database busy' }]);
    expect(calls.score).toEqual([]);
    expect(result).toEqual({
      status: 'FAILED',
      error: 'JobFailed',
      cause: 'The job was aborted; see its statusDetails',
    });
  });

  it('fails the Map when a chunk item fails, and Catch hands the threshold error to the failure handler', async () => {
    const { calls, executor } = harness({
      chunks: 4,
      numConcurrent: 1,
      scoreChunk: async (input) => {
        if ((input as { index: number }).index === 1)
          throw namedError('MissingColumns', 'column age is missing');
        return input;
      },
    });

    const result = await executor.start('run', { jobId: 'job-1' }).result;

    expect(result.status).toBe('FAILED');
    expect(calls.failJob).toEqual([
      {
        jobId: 'job-1',
        error: 'States.ExceedToleratedFailureThreshold',
        cause: 'The specified tolerated failure threshold was exceeded',
      },
    ]);
    // With one item at a time, nothing starts after the failing item.
    expect(calls.score).toHaveLength(2);
    expect(calls.finalize).toEqual([]);
  });

  it('stop() mid-map ends ABORTED at once and starts no further item', async () => {
    const release = deferred();
    const { calls, executor } = harness({
      chunks: 6,
      numConcurrent: 2,
      scoreChunk: async (input) => {
        await release.promise;
        return input;
      },
    });
    const execution = executor.start('run', { jobId: 'job-1' });
    while (calls.score?.length !== 2) await flush();

    execution.stop('Aborted', 'aborted by the user');

    expect(await execution.result).toEqual({
      status: 'ABORTED',
      error: 'Aborted',
      cause: 'aborted by the user',
    });
    release.resolve();
    await execution.settled;
    expect(calls.score).toHaveLength(2);
    expect(calls.finalize).toEqual([]);
    expect(calls.failJob).toEqual([]);
  });

  it('stop() after the execution ended changes nothing', async () => {
    const { executor } = harness({ chunks: 1, numConcurrent: 1 });
    const execution = executor.start('run', { jobId: 'job-1' });
    await execution.result;

    execution.stop();

    expect((await execution.result).status).toBe('SUCCEEDED');
  });
});
