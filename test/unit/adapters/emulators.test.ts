import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators } from '../../../local/emulators.js';
import { localDynamoClientConfig } from '../../../shared/adapters/dynamodb/dynamodb-client.js';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/dynamodb-job-store.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { ensureBucket, localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { initialJobRecord } from '../../../shared/domain/job.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'batchline-persist-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts the emulators on `dataDir`, runs `work` with both stores, and stops everything again. */
async function withStack(
  work: (stores: { objects: S3ObjectStore; jobs: DynamoDbJobStore }, endpoints: string[]) => Promise<void>,
): Promise<void> {
  const emulators = await startEmulators({ dataDir });
  const s3 = new S3Client(localS3ClientConfig(emulators.s3Endpoint));
  const dynamo = new DynamoDBClient(localDynamoClientConfig(emulators.dynamoEndpoint));
  try {
    await ensureBucket(s3, 'persisted');
    await createTables(dynamo, { jobs: 'jobs' });
    await work({ objects: new S3ObjectStore(s3, 'persisted'), jobs: new DynamoDbJobStore(dynamo, 'jobs') }, [
      emulators.s3Endpoint,
      emulators.dynamoEndpoint,
    ]);
  } finally {
    s3.destroy();
    dynamo.destroy();
    await emulators.stop();
  }
}

describe('startEmulators', () => {
  it('listens on free loopback ports and keeps objects and jobs across a restart', async () => {
    const job = initialJobRecord({
      id: 'persisted-job',
      ownerId: 'u1',
      deploymentId: 'd1',
      modelVersionId: 'm1',
      spec: {},
      created: '2026-01-01T00:00:00.000Z',
    });

    await withStack(async ({ objects, jobs }, endpoints) => {
      expect(endpoints).toEqual([
        expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      ]);
      await objects.put('jobs/persisted-job/input', Buffer.from('x\n1\n'));
      await jobs.create(job);
    });

    await withStack(async ({ objects, jobs }) => {
      expect(await objects.head('jobs/persisted-job/input')).toEqual({ size: 4 });
      expect(await jobs.get('u1', 'persisted-job')).toEqual(job);
    });
  });

  it('fails to start, instead of hanging, when the S3 port is taken, and leaves nothing running', async () => {
    const running = await startEmulators({ dataDir });
    try {
      const taken = Number(new URL(running.s3Endpoint).port);
      await expect(startEmulators({ dataDir, s3Port: taken })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await running.stop();
    }
  });
});
