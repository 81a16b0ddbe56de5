import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbJobStore } from '../shared/adapters/dynamodb/dynamodb-job-store.js';
import { createDynamoDbResourceStores } from '../shared/adapters/dynamodb/dynamodb-resource-store.js';
import { S3ObjectStore } from '../shared/adapters/s3/s3-object-store.js';
import type { Workflow } from '../shared/ports/workflow.js';
import type { Deps, UseCaseConfig } from '../shared/use-cases/deps.js';

export interface WiringInput {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly dynamo: DynamoDBClient;
  readonly jobsTable: string;
  readonly resourcesTable: string;
  readonly config: UseCaseConfig;
  /** False for s3rver, which has no UploadPartCopy. Default true. */
  readonly partCopy?: boolean;
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
