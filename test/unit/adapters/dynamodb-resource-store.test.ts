import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoDbResourceStores,
  type ResourceStores,
} from '../../../shared/adapters/dynamodb/dynamodb-resource-store.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { type ApiKeyRecord, generateApiKey } from '../../../shared/domain/api-key.js';
import type { DeploymentRecord } from '../../../shared/domain/deployment.js';
import { ConflictError, NotFoundError } from '../../../shared/domain/errors.js';
import { type ModelPackageRecord, modelObjectKey } from '../../../shared/domain/model-package.js';
import { useEmulators } from '../../support/emulators.js';

const emulators = useEmulators();
let stores: ResourceStores;

beforeAll(async () => {
  await createTables(emulators.dynamo, { jobs: 'batchline-jobs-rs', resources: 'batchline-resources-rs' });
  stores = createDynamoDbResourceStores(emulators.dynamo, 'batchline-resources-rs');
});

const owner = () => `user-${randomUUID()}`;
const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();

function modelPackage(ownerId: string, overrides: Partial<ModelPackageRecord> = {}): ModelPackageRecord {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    ownerId,
    name: 'churn',
    status: 'AWAITING_UPLOAD',
    statusDetails: 'waiting',
    // Empty strings, nested arrays and a number past 2^53 survive only if the manifest is kept as text.
    manifest: { targetName: '', inputs: { x: ['a', 'b'] }, extra: { big: 2 ** 60 } },
    objectKey: modelObjectKey(id),
    sizeBytes: null,
    summary: null,
    created: at(0),
    ...overrides,
  };
}

function deployment(ownerId: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id: randomUUID(),
    ownerId,
    label: 'Churn',
    description: null,
    modelPackageId: 'mp-1',
    created: at(0),
    updated: at(0),
    version: 1,
    ...overrides,
  };
}

function apiKey(ownerId: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const { hash, prefix } = generateApiKey();
  return {
    id: randomUUID(),
    ownerId,
    name: 'ci',
    hash,
    prefix,
    admin: false,
    created: at(0),
    revoked: false,
    ...overrides,
  };
}

const summary = {
  targetName: 'churned',
  targetType: 'Binary' as const,
  classLabels: ['no', 'yes'],
  positiveClass: 'yes',
  predictionThreshold: 0.5,
  inputs: [{ name: 'input', type: 'float32', columns: ['a', 'b'] }],
};

describe('DynamoDbModelPackageStore', () => {
  it('reads a package back unchanged, manifest included, and refuses a second one with its id', async () => {
    const record = modelPackage(owner());
    await stores.modelPackages.create(record);

    expect(await stores.modelPackages.get(record.ownerId, record.id)).toEqual(record);
    await expect(stores.modelPackages.create({ ...record, name: 'other' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await stores.modelPackages.get(record.ownerId, record.id))?.name).toBe('churn');
  });

  it("hides another owner's package from get and list, but not from getById", async () => {
    const record = modelPackage(owner());
    await stores.modelPackages.create(record);

    expect(await stores.modelPackages.get('intruder', record.id)).toBeNull();
    expect(await stores.modelPackages.list('intruder', { offset: 0, limit: 10 })).toEqual({
      items: [],
      totalCount: 0,
    });
    expect(await stores.modelPackages.getById(record.id)).toEqual(record);
    expect(await stores.modelPackages.getById('no-such-package')).toBeNull();
  });

  it('lists newest first, one page at a time, with the total', async () => {
    const ownerId = owner();
    const records = [0, 1, 2, 3, 4].map((second) => modelPackage(ownerId, { created: at(second) }));
    for (const record of records) await stores.modelPackages.create(record);
    const newestFirst = records.map((r) => r.id).reverse();

    const first = await stores.modelPackages.list(ownerId, { offset: 0, limit: 2 });
    const last = await stores.modelPackages.list(ownerId, { offset: 4, limit: 2 });

    expect(first.items.map((r) => r.id)).toEqual(newestFirst.slice(0, 2));
    expect(last.items.map((r) => r.id)).toEqual(newestFirst.slice(4));
    expect([first.totalCount, last.totalCount]).toEqual([5, 5]);
  });

  it('updates status, details, size and summary, and only for the owner', async () => {
    const record = modelPackage(owner());
    await stores.modelPackages.create(record);
    const patch = { status: 'READY' as const, statusDetails: 'ok', sizeBytes: 1234, summary };

    await expect(stores.modelPackages.update('intruder', record.id, patch)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const updated = await stores.modelPackages.update(record.ownerId, record.id, patch);

    expect(updated).toEqual({ ...record, ...patch });
    expect(await stores.modelPackages.get(record.ownerId, record.id)).toEqual(updated);
    await expect(stores.modelPackages.update(record.ownerId, 'missing', patch)).rejects.toThrow(
      'model package missing not found',
    );
  });

  it('deletes only for the owner and reports a missing package', async () => {
    const record = modelPackage(owner());
    await stores.modelPackages.create(record);

    await expect(stores.modelPackages.delete('intruder', record.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await stores.modelPackages.getById(record.id)).not.toBeNull();
    await stores.modelPackages.delete(record.ownerId, record.id);
    expect(await stores.modelPackages.getById(record.id)).toBeNull();
    await expect(stores.modelPackages.delete(record.ownerId, record.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('DynamoDbDeploymentStore', () => {
  it('reads a deployment back, hides it from other owners, and refuses a duplicate id', async () => {
    const record = deployment(owner(), { description: 'nightly' });
    await stores.deployments.create(record);

    expect(await stores.deployments.get(record.ownerId, record.id)).toEqual(record);
    expect(await stores.deployments.get('intruder', record.id)).toBeNull();
    await expect(stores.deployments.create(record)).rejects.toBeInstanceOf(ConflictError);
  });

  it('searches labels ignoring case, orders by label or creation time, and pages', async () => {
    const ownerId = owner();
    const labels = ['Churn EU', 'fraud', 'churn US', 'Credit'];
    const records = labels.map((label, i) => deployment(ownerId, { label, created: at(i), updated: at(i) }));
    for (const record of records) await stores.deployments.create(record);
    await stores.deployments.create(deployment(owner(), { label: 'churn elsewhere' }));
    const labelsOf = (page: { items: DeploymentRecord[] }) => page.items.map((d) => d.label);
    const all = { offset: 0, limit: 100 };

    expect(labelsOf(await stores.deployments.list(ownerId, all))).toEqual([
      'Credit',
      'churn US',
      'fraud',
      'Churn EU',
    ]);
    expect(labelsOf(await stores.deployments.list(ownerId, { ...all, orderBy: 'createdAt' }))).toEqual(
      labels,
    );
    expect(labelsOf(await stores.deployments.list(ownerId, { ...all, orderBy: 'label' }))).toEqual([
      'Churn EU',
      'churn US',
      'Credit',
      'fraud',
    ]);
    const search = await stores.deployments.list(ownerId, { ...all, search: 'CHURN', orderBy: '-label' });
    expect(labelsOf(search)).toEqual(['churn US', 'Churn EU']);
    expect(search.totalCount).toBe(2);
    const page = await stores.deployments.list(ownerId, { offset: 1, limit: 2, orderBy: 'createdAt' });
    expect([labelsOf(page), page.totalCount]).toEqual([['fraud', 'churn US'], 4]);
  });

  it('refuses an unknown order', async () => {
    await expect(
      stores.deployments.list(owner(), { offset: 0, limit: 1, orderBy: 'name' }),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('updates the given fields, bumps the version, and only for the owner', async () => {
    const record = deployment(owner(), { description: 'old' });
    await stores.deployments.create(record);

    const renamed = await stores.deployments.update(record.ownerId, record.id, {
      label: 'Renamed',
      updated: at(9),
    });
    const cleared = await stores.deployments.update(record.ownerId, record.id, { description: null });

    expect(renamed).toEqual({ ...record, label: 'Renamed', updated: at(9), version: 2 });
    expect(cleared).toEqual({ ...renamed, description: null, version: 3 });
    await expect(
      stores.deployments.update('intruder', record.id, { label: 'stolen' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await stores.deployments.get(record.ownerId, record.id))?.label).toBe('Renamed');
  });

  it("counts the owner's deployments that use a model package", async () => {
    const ownerId = owner();
    const modelPackageId = randomUUID();
    await stores.deployments.create(deployment(ownerId, { modelPackageId }));
    await stores.deployments.create(deployment(ownerId, { modelPackageId }));
    await stores.deployments.create(deployment(ownerId, { modelPackageId: 'another' }));
    await stores.deployments.create(deployment(owner(), { modelPackageId }));

    expect(await stores.deployments.countUsing(ownerId, modelPackageId)).toBe(2);
    expect(await stores.deployments.countUsing(ownerId, 'unused')).toBe(0);
  });

  it('deletes only for the owner', async () => {
    const record = deployment(owner());
    await stores.deployments.create(record);

    await expect(stores.deployments.delete('intruder', record.id)).rejects.toBeInstanceOf(NotFoundError);
    await stores.deployments.delete(record.ownerId, record.id);
    expect(await stores.deployments.get(record.ownerId, record.id)).toBeNull();
    await expect(stores.deployments.delete(record.ownerId, record.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('DynamoDbApiKeyStore', () => {
  it('finds a key by its hash and lists an owner’s keys oldest first', async () => {
    const ownerId = owner();
    const first = apiKey(ownerId, { created: at(1), admin: true });
    const second = apiKey(ownerId, { created: at(2) });
    await stores.apiKeys.create(second);
    await stores.apiKeys.create(first);
    await stores.apiKeys.create(apiKey(owner()));

    expect(await stores.apiKeys.findByHash(first.hash)).toEqual(first);
    expect(await stores.apiKeys.findByHash('0'.repeat(64))).toBeNull();
    expect(await stores.apiKeys.list(ownerId)).toEqual([first, second]);
  });

  it('refuses a second key with the same id or the same hash', async () => {
    const record = apiKey(owner());
    await stores.apiKeys.create(record);

    await expect(stores.apiKeys.create({ ...record, hash: generateApiKey().hash })).rejects.toBeInstanceOf(
      ConflictError,
    );
    const sameHash = { ...record, id: randomUUID() };
    await expect(stores.apiKeys.create(sameHash)).rejects.toBeInstanceOf(ConflictError);
    expect(await stores.apiKeys.findByHash(record.hash)).toEqual(record);
    // The rejected key left nothing behind: revoking it finds no such key.
    expect(await stores.apiKeys.revoke(record.ownerId, sameHash.id)).toBe(false);
  });

  it('revokes only for the owner; revoking again still succeeds', async () => {
    const record = apiKey(owner());
    await stores.apiKeys.create(record);

    expect(await stores.apiKeys.revoke('intruder', record.id)).toBe(false);
    expect((await stores.apiKeys.findByHash(record.hash))?.revoked).toBe(false);
    expect(await stores.apiKeys.revoke(record.ownerId, record.id)).toBe(true);
    expect(await stores.apiKeys.revoke(record.ownerId, record.id)).toBe(true);
    expect(await stores.apiKeys.findByHash(record.hash)).toEqual({ ...record, revoked: true });
    expect(await stores.apiKeys.revoke(record.ownerId, 'no-such-key')).toBe(false);
  });
});

describe('createTables', () => {
  it('is idempotent and leaves the resources table usable', async () => {
    await createTables(emulators.dynamo, { jobs: 'batchline-jobs-rs', resources: 'batchline-resources-rs' });
    const record = deployment(owner());
    await stores.deployments.create(record);
    expect(await stores.deployments.get(record.ownerId, record.id)).toEqual(record);
  });
});
