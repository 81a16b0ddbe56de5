import { afterEach, describe, expect, it } from 'vitest';
import { ChunkWorkerPool, WORKER_EXIT_ERROR } from '../../../local/chunk-worker-pool.js';
import type { Workflow } from '../../../shared/ports/workflow.js';

const ENTRY = new URL('./fixtures/test-chunk-worker.ts', import.meta.url);

function recordingWorkflow(): Workflow & { readonly started: string[] } {
  const started: string[] = [];
  return { started, start: async (jobId) => void started.push(jobId), stop: async () => {} };
}

describe('ChunkWorkerPool', () => {
  let pool: ChunkWorkerPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  function makePool(size: number, workflow: Workflow = recordingWorkflow()): ChunkWorkerPool {
    pool = new ChunkWorkerPool({ entry: ENTRY, settings: { answer: 42 }, size, workflow });
    return pool;
  }

  it('runs a TypeScript entry in a thread and hands it its settings', async () => {
    const p = makePool(1);
    expect(await p.run({ echo: 'hello' })).toMatchObject({ echo: 'hello', threadId: expect.any(Number) });
    expect(await p.run({ settings: true })).toEqual({ answer: 42 });
    expect(p.threadCount).toBe(1);
  });

  it('computes requests on separate threads at the same time, never more threads than its size', async () => {
    const p = makePool(2);
    // Both threads started first, so that a slow thread start cannot keep the two requests apart in time.
    await Promise.all([p.run({ echo: 'warm' }), p.run({ echo: 'up' })]);
    const results = (await Promise.all([1, 2, 3].map((echo) => p.run({ echo, busyMs: 300 })))) as {
      echo: number;
      threadId: number;
      started: number;
      ended: number;
    }[];
    const [first, second, third] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];

    expect(results.map((r) => r.echo)).toEqual([1, 2, 3]);
    expect(first.threadId).not.toBe(second.threadId);
    // The first two overlap in time; the third waits for a free thread.
    expect(Math.max(first.started, second.started)).toBeLessThan(Math.min(first.ended, second.ended));
    expect(third.started).toBeGreaterThanOrEqual(Math.min(first.ended, second.ended));
    expect(p.threadCount).toBe(2);
  });

  it("rejects with the handler's error name and message", async () => {
    const p = makePool(1);
    await expect(p.run({ throwName: 'TransientError' })).rejects.toMatchObject({
      name: 'TransientError',
      message: 'as asked',
    });
    expect(await p.run({ echo: 'still serving' })).toMatchObject({ echo: 'still serving' });
  });

  it('fails the request of a thread that dies and replaces the thread for the next one', async () => {
    const p = makePool(1);
    const first = (await p.run({ echo: 1 })) as { threadId: number };
    await expect(p.run({ exitCode: 3 })).rejects.toMatchObject({
      name: WORKER_EXIT_ERROR,
      message: 'the chunk worker thread exited with code 3',
    });
    const next = (await p.run({ echo: 2 })) as { threadId: number };
    expect(next.threadId).not.toBe(first.threadId);
    expect(p.threadCount).toBe(1);
  });

  it('forwards Workflow calls made in a thread to the main thread', async () => {
    const workflow = recordingWorkflow();
    const p = makePool(1, workflow);
    await p.run({ startJob: 'job-7' });
    expect(workflow.started).toEqual(['job-7']);
  });

  it('refuses requests once closed and fails the ones still queued', async () => {
    const p = makePool(1);
    const running = p.run({ echo: 1, busyMs: 200 });
    const queued = p.run({ echo: 2 });
    const outcomes = Promise.allSettled([running, queued]);
    await p.close();
    const [runningOutcome, queuedOutcome] = await outcomes;
    expect(runningOutcome).toMatchObject({ status: 'rejected', reason: { name: WORKER_EXIT_ERROR } });
    expect(queuedOutcome).toMatchObject({
      status: 'rejected',
      reason: { message: 'the chunk worker pool closed' },
    });
    await expect(p.run({ echo: 3 })).rejects.toThrow('the chunk worker pool is closed');
  });
});
