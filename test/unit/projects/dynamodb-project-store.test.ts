import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbProjectStore } from '../../../shared/adapters/dynamodb/dynamodb-project-store.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { ConflictError, NotFoundError } from '../../../shared/domain/errors.js';
import type { ProjectJobRecord, SubsetClaim } from '../../../shared/domain/predict-job.js';
import type { PredictionDatasetRecord } from '../../../shared/domain/prediction-dataset.js';
import type { ProjectRecord } from '../../../shared/domain/project.js';
import { useEmulators } from '../../support/emulators.js';

const emulators = useEmulators();
let store: DynamoDbProjectStore;

beforeAll(async () => {
  await createTables(emulators.dynamo, { jobs: 'projects-jobs', resources: 'projects-resources' });
  store = new DynamoDbProjectStore(emulators.dynamo, 'projects-resources');
});

const hex = () => randomBytes(12).toString('hex');
const owner = () => `user-${randomUUID()}`;
const NOW = '2025-01-01T00:00:00.000Z';

function project(ownerId: string): ProjectRecord {
  return {
    id: hex(),
    ownerId,
    name: 'p',
    target: { name: 'y', type: 'Binary', positiveClass: '1' },
    modelIds: [hex()],
    trainingData: null,
    created: NOW,
  };
}

function job(p: ProjectRecord, number: number): ProjectJobRecord {
  return {
    number,
    ownerId: p.ownerId,
    projectId: p.id,
    modelId: p.modelIds[0] as string,
    kind: 'predict',
    batchJobId: hex(),
    resultId: hex(),
    datasetId: hex(),
    dataSubset: null,
    cancelled: false,
    resultStored: false,
    created: NOW,
  };
}

describe('DynamoDbProjectStore', () => {
  it('stores, updates, lists and deletes projects, hiding them from other owners', async () => {
    const ownerId = owner();
    const p = project(ownerId);
    await store.create(p);
    await expect(store.create(p)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get(ownerId, p.id)).toEqual(p);
    expect(await store.get(owner(), p.id)).toBeNull();
    const trainingData = {
      fileName: 't.csv',
      objectKey: 'k',
      numRows: 3,
      columns: ['a', ''],
      partitionColumn: null,
      uploaded: NOW,
    };
    expect(await store.update(ownerId, p.id, { trainingData })).toEqual({ ...p, trainingData });
    expect((await store.list(ownerId)).map((x) => x.id)).toEqual([p.id]);
    await expect(store.update(owner(), p.id, { trainingData: null })).rejects.toBeInstanceOf(NotFoundError);
    await store.delete(ownerId, p.id);
    expect(await store.get(ownerId, p.id)).toBeNull();
  });

  it('keeps datasets per project', async () => {
    const p = project(owner());
    const dataset: PredictionDatasetRecord = {
      id: hex(),
      ownerId: p.ownerId,
      projectId: p.id,
      name: 'd.csv',
      objectKey: 'k',
      sizeBytes: 10,
      numRows: 1,
      columns: ['a'],
      actualValueColumn: null,
      created: NOW,
    };
    await store.createDataset(dataset);
    expect(await store.getDataset(p.ownerId, p.id, dataset.id)).toEqual(dataset);
    expect(await store.getDataset(p.ownerId, hex(), dataset.id)).toBeNull();
    expect(await store.listDatasets(p.ownerId, p.id)).toEqual([dataset]);
    expect(await store.listDatasets(p.ownerId, hex())).toEqual([]);
    await store.deleteDataset(p.ownerId, dataset.id);
    await expect(store.deleteDataset(p.ownerId, dataset.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('hands out distinct job numbers per owner, even to concurrent callers', async () => {
    const a = owner();
    const numbers = await Promise.all(Array.from({ length: 12 }, () => store.nextJobNumber(a)));
    expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await store.nextJobNumber(owner())).toBe(1);
  });

  it('maps job numbers to jobs of one project and applies patches', async () => {
    const p = project(owner());
    const first = job(p, await store.nextJobNumber(p.ownerId));
    await store.createJob(first);
    await expect(store.createJob(first)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.getJob(p.ownerId, p.id, first.number)).toEqual(first);
    expect(await store.getJob(p.ownerId, hex(), first.number)).toBeNull();
    expect(await store.getJob(owner(), p.id, first.number)).toBeNull();
    const stored = await store.updateJob(p.ownerId, first.number, { resultStored: true });
    expect(stored).toEqual({ ...first, resultStored: true });
    expect(await store.listJobs(p.ownerId, p.id)).toEqual([stored]);
    await expect(store.updateJob(owner(), first.number, { cancelled: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('lets one of concurrent claims of a subset link win, and keeps links, subsets and owners apart', async () => {
    const p = project(owner());
    const claim = (jobNumber: number, supersedes = 0): SubsetClaim => ({
      ownerId: p.ownerId,
      projectId: p.id,
      modelId: p.modelIds[0] as string,
      dataSubset: 'holdout',
      supersedes,
      jobNumber,
      claimed: NOW,
    });
    const won = await Promise.all([1, 2, 3, 4].map((n) => store.claimSubset(claim(n))));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = await store.getSubsetClaim(p.ownerId, p.id, p.modelIds[0] as string, 'holdout', 0);
    expect(winner?.jobNumber).toBe(won.indexOf(true) + 1);
    expect(await store.getSubsetClaim(owner(), p.id, p.modelIds[0] as string, 'holdout', 0)).toBeNull();
    expect(await store.getSubsetClaim(p.ownerId, p.id, p.modelIds[0] as string, 'all', 0)).toBeNull();
    expect(await store.claimSubset(claim(5, winner?.jobNumber))).toBe(true);
    expect(await store.claimSubset(claim(6, winner?.jobNumber))).toBe(false);
    await store.releaseSubsetClaim(claim(5, winner?.jobNumber));
    expect(await store.claimSubset(claim(6, winner?.jobNumber))).toBe(true);
  });
});
