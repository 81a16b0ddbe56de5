import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { DynamoDbJobStore } from '../shared/adapters/dynamodb/dynamodb-job-store.js';
import { DynamoDbMonitoringStore } from '../shared/adapters/dynamodb/dynamodb-monitoring-store.js';
import { createDynamoDbResourceStores } from '../shared/adapters/dynamodb/dynamodb-resource-store.js';
import { ExternalS3Storage } from '../shared/adapters/s3/external-s3-storage.js';
import { S3ObjectStore } from '../shared/adapters/s3/s3-object-store.js';
import { UNCONFIGURED_SCHEDULER } from '../shared/adapters/scheduler/unconfigured-scheduler.js';
import { VaultCredentialStore } from '../shared/adapters/secrets/vault-credential-store.js';
import { DriverSqlDatabases } from '../shared/adapters/sql/sql-databases.js';
import type { DefinitionScheduler } from '../shared/ports/definition-scheduler.js';
import type { SecretVault } from '../shared/ports/secret-vault.js';
import type { Workflow } from '../shared/ports/workflow.js';
import type { Deps, UseCaseConfig } from '../shared/use-cases/deps.js';

export interface WiringInput {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly dynamo: DynamoDBClient;
  readonly jobsTable: string;
  readonly resourcesTable: string;
  /** Where credential secrets are kept (Secrets Manager on AWS, the encrypted local vault). */
  readonly vault: SecretVault;
  /** Settings `s3` was built with, reused for users' buckets at the same endpoint (s3rver locally); `{}` on AWS. */
  readonly s3Config?: S3ClientConfig;
  /** Whether users may name loopback or private endpoints for their buckets (only locally, where s3rver is). */
  readonly privateEndpointsAllowed?: boolean;
  readonly config: UseCaseConfig;
  /** False for s3rver, which has no UploadPartCopy. Default true. */
  readonly partCopy?: boolean;
  /** Fires scheduled job definitions; absent in processes that never manage definitions. */
  readonly scheduler?: DefinitionScheduler;
  /** Built from the other ports, since a workflow runs use cases itself. */
  readonly workflow: (deps: Deps) => Workflow;
}

/** 24 hex characters, the shape of DataRobot's ids. */
export function newId(): string {
  return randomBytes(12).toString('hex');
}

/** Assembles the ports the use cases take from AWS-SDK adapters (real AWS or the emulators). */
export function wireDeps(input: WiringInput): Deps {
  const partial = {
    jobs: new DynamoDbJobStore(input.dynamo, input.jobsTable),
    objects: new S3ObjectStore(input.s3, input.bucket, { partCopy: input.partCopy ?? true }),
    ...createDynamoDbResourceStores(input.dynamo, input.resourcesTable),
    monitoring: new DynamoDbMonitoringStore(input.dynamo, input.resourcesTable),
    credentials: new VaultCredentialStore(input.dynamo, input.resourcesTable, input.vault),
    sql: new DriverSqlDatabases(),
    externalS3: new ExternalS3Storage({
      base: input.s3Config ?? {},
      ownBucket: input.bucket,
      allowPrivateEndpoints: input.privateEndpointsAllowed ?? false,
    }),
    scheduler: input.scheduler ?? UNCONFIGURED_SCHEDULER,
    clock: { now: () => new Date() },
    newId,
    config: input.config,
  };
  const deps: Deps = {
    ...partial,
    workflow: { start: (id) => workflow.start(id), stop: (id) => workflow.stop(id) },
  };
  const workflow = input.workflow(deps);
  return deps;
}
