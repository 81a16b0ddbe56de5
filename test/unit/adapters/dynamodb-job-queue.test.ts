import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/dynamodb-job-store.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { initialJobRecord } from '../../../shared/domain/job.js';
import { useEmulators } from '../../support/emulators.js';

const emulators = useEmulators();
const TABLE = 'batchline-jobs-queue-test';
let store: DynamoDbJobStore;

beforeAll(async () => {
  await createTables(emulators.dynamo, { jobs: TABLE });
  store = new DynamoDbJobStore(emulators.dynamo, TABLE);
});

const deployment = () => `dep-${randomUUID()}`;
const queued = (deploymentId: string, id: string, created: string) => ({ id, deploymentId, created });

describe('DynamoDbJobStore on dynalite: deployment queues', () => {
  it('lists a queue in creation order, the id breaking ties, one entry per job', async () => {
    const d = deployment();
    await store.enqueue(queued(d, 'b', '2025-01-01T00:00:02.000Z'));
    await store.enqueue(queued(d, 'c', '2025-01-01T00:00:01.000Z'));
    await store.enqueue(queued(d, 'a', '2025-01-01T00:00:02.000Z'));
    await store.enqueue(queued(d, 'c', '2025-01-01T00:00:01.000Z'));

    expect((await store.listQueued(d)).map((entry) => entry.jobId)).toEqual(['c', 'a', 'b']);
    expect(await store.listQueued(deployment())).toEqual([]);
  });

  it('tells exactly one of several concurrent dequeuers that it took the job out', async () => {
    const d = deployment();
    const entry = queued(d, 'j', '2025-01-01T00:00:00.000Z');
    await store.enqueue(entry);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.dequeue(entry)));

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.listQueued(d)).toEqual([]);
  });

  it('keeps queue and slot items out of the owner listing', async () => {
    const job = initialJobRecord({
      id: randomUUID(),
      ownerId: `owner-${randomUUID()}`,
      deploymentId: deployment(),
      modelVersionId: 'm',
      spec: {},
      created: new Date().toISOString(),
    });
    await store.create(job);
    await store.enqueue(job);
    await store.acquireSlot(job.deploymentId, job.id, 1);

    const page = await store.list(job.ownerId, { offset: 0, limit: 10 });
    expect(page.jobs.map((j) => j.id)).toEqual([job.id]);
  });
});

describe('DynamoDbJobStore on dynalite: deployment slots', () => {
  it('gives out at most `limit` slots, one per job however often it asks', async () => {
    const d = deployment();
    expect(await store.acquireSlot(d, 'a', 2)).toBe(true);
    expect(await store.acquireSlot(d, 'a', 2)).toBe(true);
    expect(await store.acquireSlot(d, 'b', 2)).toBe(true);
    expect(await store.acquireSlot(d, 'c', 2)).toBe(false);
    expect(await store.acquireSlot(d, 'a', 2)).toBe(true);
    expect(await store.slotHolders(d)).toEqual(['a', 'b']);
  });

  it('never over-allocates under 30 concurrent takers', async () => {
    const d = deployment();
    const jobs = Array.from({ length: 30 }, (_, i) => `job-${i}`);
    const taken = await Promise.all(jobs.map((job) => store.acquireSlot(d, job, 3)));

    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(await store.slotHolders(d)).toEqual(jobs.filter((_, i) => taken[i]).sort());
  });

  it('frees a slot once, however often it is released, and then gives it to the next taker', async () => {
    const d = deployment();
    await store.acquireSlot(d, 'a', 1);
    const releases = await Promise.all([store.releaseSlot(d, 'a'), store.releaseSlot(d, 'a')]);

    expect(releases.filter(Boolean)).toHaveLength(1);
    expect(await store.releaseSlot(d, 'a')).toBe(false);
    expect(await store.releaseSlot(d, 'never-held')).toBe(false);
    expect(await store.slotHolders(d)).toEqual([]);
    expect(await store.acquireSlot(d, 'b', 1)).toBe(true);
    expect(await store.slotHolders(d)).toEqual(['b']);
  });

  it('lists every deployment that had a job queued or a slot taken, with its holders', async () => {
    const [d1, d2, d3] = [deployment(), deployment(), deployment()];
    await store.acquireSlot(d1, 'x', 1);
    await store.enqueue(queued(d2, 'y', '2025-01-01T00:00:00.000Z'));
    await store.acquireSlot(d3, 'z', 1);
    await store.releaseSlot(d3, 'z');

    const slots = new Map((await store.listSlots()).map((s) => [s.deploymentId, s.holders]));
    expect(slots.get(d1)).toEqual(['x']);
    expect(slots.get(d2)).toEqual([]);
    expect(slots.get(d3)).toEqual([]);
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(store.acquireSlot(deployment(), 'a', 0)).rejects.toThrow(RangeError);
  });
});
