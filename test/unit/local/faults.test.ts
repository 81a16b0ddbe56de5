/**
 * Fault injection through the state machine CDK synthesizes, run locally with the real step cores on the emulated
 * stores: a chunk worker that throws once, one that dies half-way through writing its part, a chunk delivered
 * twice, an abort in the middle of the Map, and a queue of five jobs with one crashing. Every completed job must
 * equal one-pass scoring byte for byte with exact counters; no slot may leak and no object may be left behind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../shared/ports/object-store.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { abortJob } from '../../../shared/use-cases/jobs/abort-job.js';
import { partKey, partsPrefix } from '../../../shared/use-cases/jobs/job-keys.js';
import { queuePositions } from '../../../shared/use-cases/jobs/queue-positions.js';
import { OWNER, useJobHarness } from '../use-cases/jobs/harness.js';
import { newDeployment, uploadInput } from '../use-cases/jobs/queue-harness.js';
import { deferred, namedError } from './asl/fixtures.js';
import {
  chunkRetry,
  createJob,
  dataset,
  expectAbortedClean,
  expectCompletedAsOnePass,
  type FaultyStack,
  faultyStack,
  synthesizedDefinition,
} from './fixtures/faulty-stack.js';

const h = useJobHarness(1500);
let definition: unknown;

beforeAll(async () => {
  definition = await synthesizedDefinition();
}, 120_000);

/** What the ScoreChunk core returned for one chunk of a job, in the order the runs returned. */
function outcomesOf(stack: FaultyStack, jobId: string, index: number): string[] {
  return stack.outcomes.filter((o) => o.jobId === jobId && o.index === index).map((o) => o.outcome);
}

/** Asserts the deployment holds no slot and queues nothing, and that every execution ended as designed. */
async function expectSettled(stack: FaultyStack, deploymentId: string): Promise<void> {
  expect(await stack.deps.jobs.slotHolders(deploymentId)).toEqual([]);
  expect(await stack.deps.jobs.listQueued(deploymentId)).toEqual([]);
  expect(stack.unexpected).toEqual([]);
}

/** An object store whose put of `key` stores the first half of the bytes and then fails with `errorName`. */
function dyingMidWrite(
  objects: ObjectStore,
  key: string,
  errorName: string,
  onHalf: (written: number, full: number) => void,
): ObjectStore {
  return new Proxy(objects, {
    get(target, property) {
      if (property !== 'put') {
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      const put: ObjectStore['put'] = async (putKey, body, options) => {
        if (putKey !== key) return target.put(putKey, body, options);
        if (!(body instanceof Uint8Array)) throw new Error('expected the part as bytes');
        const half = body.subarray(0, Math.floor(body.length / 2));
        await target.put(putKey, half, options);
        onHalf(half.length, body.length);
        throw namedError(errorName, 'the worker died while writing its part');
      };
      return put;
    },
  });
}

describe('fault injection through the synthesized state machine', () => {
  it('retries a chunk whose worker throws a transient error once, per the Retry of the definition', async () => {
    const retry = chunkRetry(definition);
    const stack = faultyStack(h, definition, {
      fault: async (delivery) => {
        if (delivery.index === 1 && delivery.attempt === 1) throw namedError(retry.error, 'Rate exceeded');
        return delivery.score();
      },
    });
    const deploymentId = newDeployment();
    const job = await createJob(h, deploymentId, { numConcurrent: 2 });
    const input = dataset(300, 1);

    await uploadInput(stack.deps, job.id, input);
    await stack.workflow.idle();

    const done = await expectCompletedAsOnePass(stack.deps, job.id, input);
    expect(done.chunksTotal).toBeGreaterThan(2);
    expect(stack.deliveries.filter((d) => d.index === 1).map((d) => d.attempt)).toEqual([1, 2]);
    expect(stack.deliveries).toHaveLength(done.chunksTotal + 1);
    expect(stack.delays).toEqual([retry.firstDelayMs]);
    expect(stack.outcomes.map((o) => o.outcome)).toEqual(Array(done.chunksTotal).fill('scored'));
    await expectSettled(stack, deploymentId);
    await stack.workflow.close();
  });

  it('retries a chunk whose worker dies half-way through writing its part; the output is unchanged', async () => {
    const retry = chunkRetry(definition);
    const torn: { written: number; full: number; left: number | null }[] = [];
    const stack: FaultyStack = faultyStack(h, definition, {
      fault: async (delivery) => {
        if (delivery.index !== 2 || delivery.attempt !== 1) return delivery.score();
        const key = partKey(delivery.jobId, 2);
        const objects = dyingMidWrite(stack.deps.objects, key, retry.error, (written, full) =>
          torn.push({ written, full, left: null }),
        );
        try {
          return await delivery.score({ ...stack.deps, objects } satisfies Deps);
        } finally {
          const last = torn.at(-1);
          if (last) last.left = (await stack.deps.objects.head(key))?.size ?? null;
        }
      },
    });
    const deploymentId = newDeployment();
    const job = await createJob(h, deploymentId, { numConcurrent: 2 });
    const input = dataset(320, 2);

    await uploadInput(stack.deps, job.id, input);
    await stack.workflow.idle();

    const done = await expectCompletedAsOnePass(stack.deps, job.id, input);
    expect(torn).toHaveLength(1);
    const [{ written, full, left }] = torn as [(typeof torn)[number]];
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(full);
    // The torn part was really there when the worker died, and the retry replaced it.
    expect(left).toBe(written);
    expect(stack.deliveries.filter((d) => d.index === 2).map((d) => d.attempt)).toEqual([1, 2]);
    expect(outcomesOf(stack, job.id, 2)).toEqual(['scored']);
    expect(stack.delays).toEqual([retry.firstDelayMs]);
    expect(done.chunksDone).toBe(done.chunksTotal);
    await expectSettled(stack, deploymentId);
    await stack.workflow.close();
  });

  it('counts and writes once a chunk delivered twice, at once by the Map or again after it succeeded', async () => {
    const stack = faultyStack(h, definition, {
      // Item 1 twice in a row: with numConcurrent 2 both copies are scored at the same time.
      mapItems: (items) => items.flatMap((item) => (item.index === 1 ? [item, item] : [item])),
      fault: async (delivery) => {
        const first = await delivery.score();
        if (delivery.index === 3) await delivery.score();
        return first;
      },
    });
    const deploymentId = newDeployment();
    const job = await createJob(h, deploymentId, { numConcurrent: 2, abortOnError: false });
    // Failed rows in the duplicated chunks: their counts must not double either.
    const input = dataset(360, 3, [70, 75, 200]);

    await uploadInput(stack.deps, job.id, input);
    await stack.workflow.idle();

    const done = await expectCompletedAsOnePass(stack.deps, job.id, input);
    expect(done.chunksTotal).toBeGreaterThan(4);
    expect(done.failedRows).toBe(3);
    expect(stack.deliveries.filter((d) => d.index === 1)).toHaveLength(2);
    expect(outcomesOf(stack, job.id, 1).sort()).toEqual(['duplicate', 'scored']);
    expect(outcomesOf(stack, job.id, 3)).toEqual(['scored', 'duplicate']);
    expect(stack.outcomes.filter((o) => o.outcome === 'scored')).toHaveLength(done.chunksTotal);
    await expectSettled(stack, deploymentId);
    await stack.workflow.close();
  });

  it('stops the Map promptly on abort: nothing further starts, partial output goes, the slot passes on', async () => {
    const held: number[] = [];
    const bothHeld = deferred();
    const release = deferred();
    const deploymentId = newDeployment();
    const aborted = await createJob(h, deploymentId, { numConcurrent: 2 });
    const next = await createJob(h, deploymentId);
    const stack = faultyStack(h, definition, {
      // Chunks 3 and 4 of the first job take both Map slots and wait there until the job is aborted.
      fault: async (delivery) => {
        if (delivery.jobId === aborted.id && delivery.index >= 3) {
          held.push(delivery.index);
          if (held.length === 2) bothHeld.resolve();
          await release.promise;
        }
        return delivery.score();
      },
    });
    const nextInput = dataset(150, 5);

    await uploadInput(stack.deps, aborted.id, dataset(420, 4));
    await uploadInput(stack.deps, next.id, nextInput);
    await bothHeld.promise;
    expect(await stack.deps.objects.list(partsPrefix(aborted.id))).toHaveLength(3);
    expect((await h.job(next.id)).status).toBe('INITIALIZING');

    await abortJob(stack.deps, OWNER, aborted.id);
    release.resolve();
    await stack.workflow.idle();

    const ended = await expectAbortedClean(stack.deps, aborted.id, 'Job aborted by the user');
    expect(ended.chunksTotal).toBeGreaterThan(5);
    expect(ended.chunksDone).toBe(3);
    expect(stack.deliveries.filter((d) => d.jobId === aborted.id).map((d) => d.index)).toEqual([
      0, 1, 2, 3, 4,
    ]);
    expect(outcomesOf(stack, aborted.id, 3)).toEqual(['stopped']);
    expect(outcomesOf(stack, aborted.id, 4)).toEqual(['stopped']);
    expect(stack.prepares).toEqual([
      { jobId: aborted.id, slotHolders: [aborted.id] },
      { jobId: next.id, slotHolders: [next.id] },
    ]);
    await expectCompletedAsOnePass(stack.deps, next.id, nextInput);
    await expectSettled(stack, deploymentId);
    await stack.workflow.close();
  });

  it('runs a queue of 5 jobs in order, one slot at a time, when one crashes mid-run', async () => {
    const deploymentId = newDeployment();
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await createJob(h, deploymentId, { numConcurrent: 2 }));
    const ids = jobs.map((job) => job.id);
    const [first, , crashing] = ids as [string, string, string];
    // The crashing job is the largest, so that its Map has chunks left to not start.
    const inputs = ids.map((id, i) => dataset(id === crashing ? 600 : 150 + i * 20, 10 + i));
    const firstMayStart = deferred();
    // Chunk 0 of the crashing job runs beside the crashing chunk 1; it is held until the crash's FailJob has ended
    // the job and passed the slot on (the next job is preparing), so which items the Map starts afterwards does
    // not depend on how fast this machine runs FailJob.
    const crashHandled = deferred();
    const stack = faultyStack(h, definition, {
      limit: 1,
      beforePrepare: async (jobId) => {
        if (jobId === first) await firstMayStart.promise;
        if (jobId === ids[3]) crashHandled.resolve();
      },
      fault: async (delivery) => {
        if (delivery.jobId === crashing && delivery.index === 1) {
          throw namedError('WorkerCrashed', 'the chunk worker crashed');
        }
        if (delivery.jobId === crashing && delivery.index === 0) await crashHandled.promise;
        return delivery.score();
      },
    });

    for (const [i, id] of ids.entries()) await uploadInput(stack.deps, id, inputs[i] as string);
    const positions = await queuePositions(stack.deps, await Promise.all(ids.map((id) => h.job(id))));
    expect(ids.map((id) => positions.get(id) ?? null)).toEqual([null, 0, 1, 2, 3]);
    firstMayStart.resolve();
    await stack.workflow.idle();

    expect(stack.prepares).toEqual(ids.map((id) => ({ jobId: id, slotHolders: [id] })));
    const crashed = await expectAbortedClean(
      stack.deps,
      crashing,
      'The job could not be completed: the chunk worker crashed',
    );
    expect(crashed.chunksTotal).toBeGreaterThan(8);
    // Not a transient error: no retry. Items the Map starts while the crashed item runs its FailJobFromChunk find
    // the job ABORTED and score nothing, and the failed Map starts no more.
    const crashedDeliveries = stack.deliveries.filter((d) => d.jobId === crashing);
    expect(crashedDeliveries.filter((d) => d.index === 1)).toHaveLength(1);
    expect(crashedDeliveries.length).toBeLessThan(crashed.chunksTotal);
    const late = stack.outcomes.filter((o) => o.jobId === crashing && o.index > 1).map((o) => o.outcome);
    expect(late).toEqual(late.map(() => 'stopped'));
    expect(stack.delays).toEqual([]);
    const finished = [];
    for (const [i, id] of ids.entries()) {
      if (id === crashing) continue;
      finished.push((await expectCompletedAsOnePass(stack.deps, id, inputs[i] as string)).finished ?? '');
    }
    expect(finished).toEqual([...finished].sort());
    await expectSettled(stack, deploymentId);
    await stack.workflow.close();
  });
});
