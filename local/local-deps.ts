/**
 * The use cases' ports over the local emulators. The embedded stack and every chunk worker thread build their Deps
 * here from the same plain settings, so a worker talks to exactly the bucket and tables the stack does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { wireDeps } from '../functions/wire-deps.js';
import { localDynamoClientConfig } from '../shared/adapters/dynamodb/dynamodb-client.js';
import { localS3ClientConfig } from '../shared/adapters/s3/s3-client.js';
import { EncryptedTableVault } from '../shared/adapters/secrets/encrypted-table-vault.js';
import type { DefinitionScheduler } from '../shared/ports/definition-scheduler.js';
import type { Workflow } from '../shared/ports/workflow.js';
import type { Deps, UseCaseConfig } from '../shared/use-cases/deps.js';

/** Where the emulated services are and what they hold; plain data, so it can be sent to a worker thread. */
export interface LocalServices {
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly bucket: string;
  readonly tables: { readonly jobs: string; readonly resources: string };
  readonly config: UseCaseConfig;
  /** The local credential vault's AES-256 key, 32 bytes base64url (a file in the stack's data dir, mode 600). */
  readonly vaultKey: string;
}

export interface LocalDeps {
  readonly deps: Deps;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  /** Closes the SDK clients' connections. */
  destroy(): void;
}

/** Builds SDK clients for `services` and the use cases' ports over them, with `workflow` made from the ports. */
export function connectLocalDeps(
  services: LocalServices,
  workflow: (deps: Deps) => Workflow,
  /** The stack's job-definition scheduler; chunk workers, which never manage definitions, have none. */
  scheduler?: DefinitionScheduler,
): LocalDeps {
  const s3Config = localS3ClientConfig(services.s3Endpoint);
  const s3 = new S3Client(s3Config);
  const dynamo = new DynamoDBClient(localDynamoClientConfig(services.dynamoEndpoint));
  const deps = wireDeps({
    s3,
    bucket: services.bucket,
    dynamo,
    jobsTable: services.tables.jobs,
    resourcesTable: services.tables.resources,
    vault: new EncryptedTableVault(
      dynamo,
      services.tables.resources,
      Buffer.from(services.vaultKey, 'base64url'),
    ),
    s3Config,
    privateEndpointsAllowed: true,
    config: services.config,
    partCopy: false,
    ...(scheduler ? { scheduler } : {}),
    workflow,
  });
  return {
    deps,
    s3,
    dynamo,
    destroy: () => {
      s3.destroy();
      dynamo.destroy();
    },
  };
}
