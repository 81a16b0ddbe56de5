import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/dynamodb-job-store.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { initialJobRecord, type JobRecord } from '../../../shared/domain/job.js';
import {
  JobAlreadyExistsError,
  JobNotFoundError,
  JobStateConflictError,
} from '../../../shared/ports/job-store.js';
import { useEmulators } from '../../support/emulators.js';

const emulators = useEmulators();
const TABLE = 'batchline-jobs-test';
let store: DynamoDbJobStore;

beforeAll(async () => {
  await createTables(emulators.dynamo, { jobs: TABLE });
  store = new DynamoDbJobStore(emulators.dynamo, TABLE);
});

function newJob(overrides: Partial<Pick<JobRecord, 'ownerId' | 'created'>> = {}): JobRecord {
  return initialJobRecord({
    id: randomUUID(),
    ownerId: overrides.ownerId ?? 'owner-a',
    deploymentId: 'dep-1',
    modelVersionId: 'model-v7',
    spec: {
      deploymentId: 'dep-1',
      numConcurrent: 4,
      csvSettings: { delimiter: ',' },
      // Beyond Number.MAX_SAFE_INTEGER: DynamoDB's number marshalling would refuse it, JSON text keeps it.
      big: 2 ** 60,
    },
    created: overrides.created ?? new Date().toISOString(),
  });
}

/** A stored job already moved to RUNNING with `chunksTotal` chunks planned. */
async function runningJob(chunksTotal: number): Promise<JobRecord> {
  const job = newJob();
  await store.create(job);
  return store.transition(job.id, ['INITIALIZING'], 'RUNNING', {
    chunksTotal,
    started: new Date().toISOString(),
  });
}

const counts = (scoredRows: number, failedRows = 0, skippedRows = 0) => ({
  scoredRows,
  failedRows,
  skippedRows,
});

describe('DynamoDbJobStore on dynalite: create, get, delete', () => {
  it('stores a job and reads it back unchanged, spec included', async () => {
    const job = newJob();
    await store.create(job);
    expect(await store.get(job.ownerId, job.id)).toEqual(job);
  });

  it('refuses a second job with the same id and keeps the first', async () => {
    const job = newJob();
    await store.create(job);

    await expect(store.create({ ...job, deploymentId: 'other' })).rejects.toBeInstanceOf(
      JobAlreadyExistsError,
    );
    expect((await store.get(job.ownerId, job.id))?.deploymentId).toBe('dep-1');
  });

  it("hides another owner's job from get and list", async () => {
    const job = newJob({ ownerId: `owner-${randomUUID()}` });
    await store.create(job);

    expect(await store.get('someone-else', job.id)).toBeNull();
    expect(await store.list('someone-else', { offset: 0, limit: 100 })).toEqual({ jobs: [], totalCount: 0 });
    expect((await store.list(job.ownerId, { offset: 0, limit: 100 })).jobs.map((j) => j.id)).toEqual([
      job.id,
    ]);
  });

  it('deletes a job; deleting it again is not an error', async () => {
    const job = newJob();
    await store.create(job);

    await store.delete(job.id);
    await store.delete(job.id);
    expect(await store.get(job.ownerId, job.id)).toBeNull();
  });

  it('appends log lines in order and bumps the version', async () => {
    const job = newJob();
    await store.create(job);

    await store.appendLog(job.id, 'Job created by owner-a');
    await store.appendLog(job.id, 'Job started processing');

    const stored = await store.get(job.ownerId, job.id);
    expect(stored?.logs).toEqual(['Job created by owner-a', 'Job started processing']);
    expect(stored?.version).toBe(3);
    await expect(store.appendLog('no-such-job', 'x')).rejects.toBeInstanceOf(JobNotFoundError);
  });
});

describe('DynamoDbJobStore on dynalite: transitions', () => {
  it('moves a job with its patch and returns the new record', async () => {
    const job = newJob();
    await store.create(job);

    const running = await store.transition(job.id, ['INITIALIZING'], 'RUNNING', {
      statusDetails: 'Job running',
      started: '2026-01-01T00:00:00.000Z',
      jobIntakeSize: 1234,
      chunksTotal: 3,
    });

    expect(running).toMatchObject({ status: 'RUNNING', statusDetails: 'Job running', jobIntakeSize: 1234 });
    expect(running).toMatchObject({ chunksTotal: 3, started: '2026-01-01T00:00:00.000Z', version: 2 });
    expect(await store.get(job.ownerId, job.id)).toEqual(running);
  });

  it('refuses a move from a status the job is not in, naming the current status', async () => {
    const job = newJob();
    await store.create(job);

    const attempt = store.transition(job.id, ['RUNNING'], 'COMPLETED');
    await expect(attempt).rejects.toBeInstanceOf(JobStateConflictError);
    await expect(attempt).rejects.toMatchObject({ current: 'INITIALIZING', attempted: 'COMPLETED' });
    expect((await store.get(job.ownerId, job.id))?.status).toBe('INITIALIZING');
  });

  it('rejects moves the state machine forbids before writing, and unknown jobs', async () => {
    const job = newJob();
    await store.create(job);

    await expect(store.transition(job.id, ['INITIALIZING'], 'COMPLETED')).rejects.toBeInstanceOf(RangeError);
    await expect(store.transition(job.id, [], 'ABORTED')).rejects.toBeInstanceOf(RangeError);
    await expect(store.transition('no-such-job', ['RUNNING'], 'ABORTED')).rejects.toBeInstanceOf(
      JobNotFoundError,
    );
  });

  it('lets exactly one of two concurrent aborts succeed; the job ends ABORTED', async () => {
    const job = await runningJob(4);

    const outcomes = await Promise.allSettled([
      store.transition(job.id, ['INITIALIZING', 'RUNNING'], 'ABORTED', { statusDetails: 'aborted by user' }),
      store.transition(job.id, ['INITIALIZING', 'RUNNING'], 'ABORTED', {
        statusDetails: 'aborted by timeout',
      }),
    ]);

    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((outcome) => outcome.reason)).toEqual([expect.any(JobStateConflictError)]);
    const stored = await store.get(job.ownerId, job.id);
    expect(stored?.status).toBe('ABORTED');
    expect(stored?.statusDetails).toBe(fulfilled[0]?.value.statusDetails);
  });

  it('settles an abort racing a completion on exactly one terminal state, the winner', async () => {
    const jobs = await Promise.all(Array.from({ length: 10 }, () => runningJob(1)));

    for (const job of jobs) {
      const [abort, complete] = await Promise.allSettled([
        store.transition(job.id, ['INITIALIZING', 'RUNNING'], 'ABORTED'),
        store.transition(job.id, ['RUNNING'], 'COMPLETED'),
      ]);
      const winners = [abort, complete].filter((outcome) => outcome.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const stored = await store.get(job.ownerId, job.id);
      expect(stored?.status).toBe(winners[0]?.value.status);
      expect(stored?.version).toBe(3);
    }
  });
});

describe('DynamoDbJobStore on dynalite: chunk completion', () => {
  it('counts a chunk delivered twice only once', async () => {
    const job = await runningJob(2);

    const first = await store.recordChunkDone(job.id, 0, counts(100, 2, 1));
    const again = await store.recordChunkDone(job.id, 0, counts(100, 2, 1));

    expect(first.applied).toBe(true);
    expect(again.applied).toBe(false);
    expect(again.job).toEqual(first.job);
    expect(again.job).toMatchObject({ chunksDone: 1, scoredRows: 100, failedRows: 2, skippedRows: 1 });
    expect(again.job.percentageCompleted).toBe(50);
  });

  it('keeps exact counters under 50 concurrent chunks, each also delivered twice at once', async () => {
    const job = await runningJob(50);
    const deliveries = Array.from({ length: 100 }, (_, i) => i % 50);

    const results = await Promise.all(
      deliveries.map((chunk) => store.recordChunkDone(job.id, chunk, counts(chunk + 1, 1))),
    );

    expect(results.filter((result) => result.applied)).toHaveLength(50);
    const stored = await store.get(job.ownerId, job.id);
    expect(stored).toMatchObject({
      chunksDone: 50,
      scoredRows: (50 * 51) / 2,
      failedRows: 50,
      skippedRows: 0,
    });
    expect(stored?.percentageCompleted).toBe(100);
    expect(stored?.version).toBe(2 + 50);
  });

  it('does not count chunks of a job that is not RUNNING', async () => {
    const waiting = newJob();
    await store.create(waiting);
    const aborted = await runningJob(3);
    await store.transition(aborted.id, ['RUNNING'], 'ABORTED');

    const early = await store.recordChunkDone(waiting.id, 0, counts(10));
    const late = await store.recordChunkDone(aborted.id, 0, counts(10));

    expect(early).toMatchObject({ applied: false, job: { status: 'INITIALIZING', scoredRows: 0 } });
    expect(late).toMatchObject({ applied: false, job: { status: 'ABORTED', scoredRows: 0, chunksDone: 0 } });
  });

  it('rejects chunk indices outside the plan and unknown jobs', async () => {
    const job = await runningJob(2);

    await expect(store.recordChunkDone(job.id, 2, counts(1))).rejects.toBeInstanceOf(RangeError);
    await expect(store.recordChunkDone(job.id, -1, counts(1))).rejects.toBeInstanceOf(RangeError);
    await expect(store.recordChunkDone('no-such-job', 0, counts(1))).rejects.toBeInstanceOf(JobNotFoundError);
    expect((await store.get(job.ownerId, job.id))?.chunksDone).toBe(0);
  });
});

describe('DynamoDbJobStore on dynalite: list', () => {
  it('lists newest first, filters by status and pages with offset and limit', async () => {
    const ownerId = `owner-${randomUUID()}`;
    const jobs = Array.from({ length: 5 }, (_, i) =>
      newJob({ ownerId, created: `2026-03-0${i + 1}T00:00:00.000Z` }),
    );
    await Promise.all(jobs.map((job) => store.create(job)));
    // jobs[1] and jobs[3] run; jobs[3] then completes.
    for (const job of [jobs[1], jobs[3]]) await store.transition(job?.id ?? '', ['INITIALIZING'], 'RUNNING');
    await store.transition(jobs[3]?.id ?? '', ['RUNNING'], 'COMPLETED');
    const ids = (page: { jobs: JobRecord[] }) =>
      page.jobs.map((job) => jobs.findIndex((j) => j.id === job.id));

    const all = await store.list(ownerId, { offset: 0, limit: 10 });
    expect(ids(all)).toEqual([4, 3, 2, 1, 0]);
    expect(all.totalCount).toBe(5);

    const page = await store.list(ownerId, { offset: 1, limit: 2 });
    expect(ids(page)).toEqual([3, 2]);
    expect(page.totalCount).toBe(5);

    const active = await store.list(ownerId, { statuses: ['RUNNING', 'COMPLETED'], offset: 0, limit: 10 });
    expect(ids(active)).toEqual([3, 1]);
    expect(active.totalCount).toBe(2);

    const waitingAfterFirst = await store.list(ownerId, { statuses: ['INITIALIZING'], offset: 1, limit: 10 });
    expect(ids(waitingAfterFirst)).toEqual([2, 0]);
    expect(waitingAfterFirst.totalCount).toBe(3);
  });
});
