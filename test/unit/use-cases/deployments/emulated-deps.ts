/**
 * Deps for use-case tests on the real adapters: dynalite tables and an s3rver bucket, started once per test
 * file. The clock moves one second per reading, so creation order is also timestamp order.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll } from 'vitest';
import { DynamoDbJobStore } from '../../../../shared/adapters/dynamodb/dynamodb-job-store.js';
import { createDynamoDbResourceStores } from '../../../../shared/adapters/dynamodb/dynamodb-resource-store.js';
import { createTables } from '../../../../shared/adapters/dynamodb/tables.js';
import { ExternalS3Storage } from '../../../../shared/adapters/s3/external-s3-storage.js';
import { ensureBucket } from '../../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../../shared/adapters/s3/s3-object-store.js';
import { UNCONFIGURED_SCHEDULER } from '../../../../shared/adapters/scheduler/unconfigured-scheduler.js';
import { EncryptedTableVault } from '../../../../shared/adapters/secrets/encrypted-table-vault.js';
import { VaultCredentialStore } from '../../../../shared/adapters/secrets/vault-credential-store.js';
import { DriverSqlDatabases } from '../../../../shared/adapters/sql/sql-databases.js';
import type { ModelPackageRecord } from '../../../../shared/domain/model-package.js';
import type { Deps } from '../../../../shared/use-cases/deps.js';
import { finalizeModelUpload } from '../../../../shared/use-cases/model-packages/finalize-model-upload.js';
import { startModelUpload } from '../../../../shared/use-cases/model-packages/start-model-upload.js';
import { useEmulators } from '../../../support/emulators.js';

const TABLES = { jobs: 'batchline-jobs-uc', resources: 'batchline-resources-uc' };
const BUCKET = 'batchline-uc';

/** Registers the emulators and returns a getter for Deps, usable once tests run. */
export function useEmulatedDeps(): () => Deps {
  const emulators = useEmulators();
  let deps: Deps | undefined;
  beforeAll(async () => {
    await createTables(emulators.dynamo, TABLES);
    await ensureBucket(emulators.s3, BUCKET);
    let tick = Date.UTC(2025, 0, 1);
    deps = {
      jobs: new DynamoDbJobStore(emulators.dynamo, TABLES.jobs),
      objects: new S3ObjectStore(emulators.s3, BUCKET, { partCopy: false }),
      ...createDynamoDbResourceStores(emulators.dynamo, TABLES.resources),
      credentials: new VaultCredentialStore(
        emulators.dynamo,
        TABLES.resources,
        new EncryptedTableVault(emulators.dynamo, TABLES.resources, randomBytes(32)),
      ),
      // Deployment use cases never reach a user's bucket; a real adapter, unconfigured, stands in.
      externalS3: new ExternalS3Storage({ base: {}, ownBucket: BUCKET, allowPrivateEndpoints: false }),
      scheduler: UNCONFIGURED_SCHEDULER,
      // Deployment use cases never reach a SQL database; the real adapter stands in, unused.
      sql: new DriverSqlDatabases(),
      workflow: {
        start: () => Promise.reject(new Error('these use cases never start a workflow')),
        stop: () => Promise.reject(new Error('these use cases never stop a workflow')),
      },
      clock: {
        now: () => {
          tick += 1000;
          return new Date(tick);
        },
      },
      newId: () => randomBytes(12).toString('hex'),
      config: {
        uploadSecret: 'test-secret',
        dataPlaneUrl: 'http://127.0.0.1:1',
        uploadUrlSeconds: 60,
        chunkBytes: 1 << 20,
        retentionHours: 48,
      },
    };
  });
  return () => {
    if (!deps) throw new Error('Deps exist once beforeAll ran');
    return deps;
  };
}

/** PUTs bytes to a presigned URL the way a user's HTTP client would, without other credentials. */
export async function putToUrl(url: string, body: Uint8Array | string): Promise<void> {
  const response = await fetch(url, { method: 'PUT', body });
  if (!response.ok) throw new Error(`PUT ${url} answered ${response.status}: ${await response.text()}`);
}

/** A READY model package of `ownerId`: started, uploaded through its URL and finalized. */
export async function registerModel(
  deps: Deps,
  ownerId: string,
  bytes: Uint8Array,
  manifest?: unknown,
): Promise<ModelPackageRecord> {
  const { record, uploadUrl } = await startModelUpload(deps, ownerId, { name: 'model', manifest });
  await putToUrl(uploadUrl, bytes);
  return finalizeModelUpload(deps, ownerId, record.id);
}
