/**
 * Loaded with `--import` before functions/chunk-worker-main.ts in the chunk worker test: gives the composition
 * root ports on the test's emulators (as the embedded stack does), so the entry point runs unchanged. Reads
 * WORKER_TEST_SERVICES, the JSON of {@link WorkerTestServices}.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { provideDeps } from '../../../functions/composition.js';
import { wireDeps } from '../../../functions/wire-deps.js';
import { localDynamoClientConfig } from '../../../shared/adapters/dynamodb/dynamodb-client.js';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import { EncryptedTableVault } from '../../../shared/adapters/secrets/encrypted-table-vault.js';
import type { UseCaseConfig } from '../../../shared/use-cases/deps.js';

export interface WorkerTestServices {
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly bucket: string;
  readonly jobsTable: string;
  readonly resourcesTable: string;
  readonly config: UseCaseConfig;
}

const services = JSON.parse(process.env.WORKER_TEST_SERVICES ?? 'null') as WorkerTestServices | null;
if (services === null) throw new Error('WORKER_TEST_SERVICES is not set');
const dynamo = new DynamoDBClient(localDynamoClientConfig(services.dynamoEndpoint));
provideDeps(
  wireDeps({
    s3: new S3Client(localS3ClientConfig(services.s3Endpoint)),
    bucket: services.bucket,
    dynamo,
    jobsTable: services.jobsTable,
    resourcesTable: services.resourcesTable,
    vault: new EncryptedTableVault(dynamo, services.resourcesTable, randomBytes(32)),
    config: services.config,
    partCopy: false,
    // A job this worker ends would start the next queued one; no test here queues any.
    workflow: () => ({ start: async () => {}, stop: async () => {} }),
  }),
);
