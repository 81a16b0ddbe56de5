import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/dynamodb-job-store.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { initialJobRecord, type JobRecord } from '../../../shared/domain/job.js';
import { JobNotFoundError } from '../../../shared/ports/job-store.js';
import { useEmulators } from '../../support/emulators.js';

const emulators = useEmulators();
const TABLE = 'batchline-jobs-input-test';
let store: DynamoDbJobStore;

beforeAll(async () => {
  await createTables(emulators.dynamo, { jobs: TABLE });
  store = new DynamoDbJobStore(emulators.dynamo, TABLE);
});

async function storedJob(): Promise<JobRecord> {
  const job = initialJobRecord({
    id: randomUUID(),
    ownerId: 'owner-a',
    deploymentId: 'dep-1',
    modelVersionId: 'pkg-1',
    spec: { deploymentId: 'dep-1' },
    created: new Date().toISOString(),
  });
  await store.create(job);
  return job;
}

describe('DynamoDbJobStore on dynalite: getById and markInputComplete', () => {
  it('reads a job by id whoever owns it', async () => {
    const job = await storedJob();
    expect(await store.getById(job.id)).toEqual(job);
    expect(await store.getById('missing')).toBeNull();
  });

  it('sets jobIntakeSize once, only while INITIALIZING', async () => {
    const job = await storedJob();
    const marked = await store.markInputComplete(job.id, 1234);

    expect(marked?.jobIntakeSize).toBe(1234);
    expect(marked?.version).toBe(job.version + 1);
    expect(await store.markInputComplete(job.id, 99)).toBeNull();
    expect((await store.getById(job.id))?.jobIntakeSize).toBe(1234);
  });

  it('lets one of two racing completions win', async () => {
    const job = await storedJob();
    const results = await Promise.all([
      store.markInputComplete(job.id, 1),
      store.markInputComplete(job.id, 2),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('refuses a job that left INITIALIZING, and throws for a missing job', async () => {
    const job = await storedJob();
    await store.transition(job.id, ['INITIALIZING'], 'ABORTED', { statusDetails: 'aborted' });
    expect(await store.markInputComplete(job.id, 10)).toBeNull();
    await expect(store.markInputComplete('missing', 10)).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(store.markInputComplete(job.id, -1)).rejects.toBeInstanceOf(RangeError);
  });
});
