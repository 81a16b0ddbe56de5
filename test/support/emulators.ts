/**
 * Runs s3rver and dynalite for one test file: `useEmulators()` at the top of a file starts them in
 * beforeAll on free ports with a temporary data directory, and stops them and removes it in afterAll.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { type RunningEmulators, startEmulators } from '../../local/emulators.js';
import { localDynamoClientConfig } from '../../shared/adapters/dynamodb/dynamodb-client.js';
import { localS3ClientConfig } from '../../shared/adapters/s3/s3-client.js';

export interface TestEmulators {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
}

interface Running extends TestEmulators {
  readonly emulators: RunningEmulators;
  readonly dataDir: string;
}

/** Registers the start/stop hooks; the returned handle's fields may be read once tests run. */
export function useEmulators(): TestEmulators {
  let running: Running | undefined;
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'batchline-emulators-'));
    const emulators = await startEmulators({ dataDir });
    running = {
      emulators,
      dataDir,
      s3Endpoint: emulators.s3Endpoint,
      dynamoEndpoint: emulators.dynamoEndpoint,
      s3: new S3Client(localS3ClientConfig(emulators.s3Endpoint)),
      dynamo: new DynamoDBClient(localDynamoClientConfig(emulators.dynamoEndpoint)),
    };
  });
  afterAll(async () => {
    if (!running) return;
    // Clients first: their keep-alive sockets would otherwise hold the servers open.
    running.s3.destroy();
    running.dynamo.destroy();
    await running.emulators.stop();
    await rm(running.dataDir, { recursive: true, force: true });
  });
  const current = (): Running => {
    if (!running) throw new Error('Emulators are not running: use them inside tests, after beforeAll');
    return running;
  };
  return {
    get s3() {
      return current().s3;
    },
    get dynamo() {
      return current().dynamo;
    },
    get s3Endpoint() {
      return current().s3Endpoint;
    },
    get dynamoEndpoint() {
      return current().dynamoEndpoint;
    },
  };
}
