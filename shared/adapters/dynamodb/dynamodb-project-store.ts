/**
 * {@link ProjectStore} on the resources table. Datasets and jobs are listed through the owner index and then
 * filtered by project: an owner has few enough of them, and it keeps the table's layout unchanged.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import {
  type ProjectJobRecord,
  ProjectJobRecordSchema,
  type SubsetClaim,
  SubsetClaimSchema,
} from '../../domain/predict-job.js';
import {
  type PredictionDatasetRecord,
  PredictionDatasetRecordSchema,
} from '../../domain/prediction-dataset.js';
import { type ProjectRecord, ProjectRecordSchema } from '../../domain/project.js';
import type { ProjectJobPatch, ProjectPatch, ProjectStore } from '../../ports/project-store.js';
import { type ItemKey, ResourceTable } from './resource-table.js';

const PROJECT = 'PROJECT';
const DATASET = 'PREDICTION_DATASET';
const JOB = 'PROJECT_JOB';
const COUNTER = 'PROJECT_JOB_COUNTER';
const CLAIM = 'TRAINING_PREDICTIONS_CLAIM';

export class DynamoDbProjectStore implements ProjectStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: ProjectRecord): Promise<void> {
    if (!(await this.table.putNew(key(PROJECT, record.id), record, record))) {
      throw new ConflictError(`project ${record.id} already exists`);
    }
  }

  async get(ownerId: string, id: string): Promise<ProjectRecord | null> {
    const item = await this.table.readOwned(key(PROJECT, id), ownerId);
    return item && ProjectRecordSchema.parse(item);
  }

  async list(ownerId: string): Promise<ProjectRecord[]> {
    const items = await this.table.listOwned(ownerId, PROJECT, 'newestFirst');
    return items.map((item) => ProjectRecordSchema.parse(item));
  }

  async update(ownerId: string, id: string, patch: ProjectPatch): Promise<ProjectRecord> {
    const item = await this.table.updateOwned(key(PROJECT, id), ownerId, { ...patch });
    if (!item) throw new NotFoundError('project', id);
    return ProjectRecordSchema.parse(item);
  }

  async delete(ownerId: string, id: string): Promise<void> {
    if (!(await this.table.deleteOwned(key(PROJECT, id), ownerId))) throw new NotFoundError('project', id);
  }

  async createDataset(record: PredictionDatasetRecord): Promise<void> {
    if (!(await this.table.putNew(key(DATASET, record.id), record, record))) {
      throw new ConflictError(`prediction dataset ${record.id} already exists`);
    }
  }

  async getDataset(ownerId: string, projectId: string, id: string): Promise<PredictionDatasetRecord | null> {
    const item = await this.table.readOwned(key(DATASET, id), ownerId);
    const record = item && PredictionDatasetRecordSchema.parse(item);
    return record?.projectId === projectId ? record : null;
  }

  async listDatasets(ownerId: string, projectId: string): Promise<PredictionDatasetRecord[]> {
    const items = await this.table.listOwned(ownerId, DATASET, 'oldestFirst');
    return items
      .map((item) => PredictionDatasetRecordSchema.parse(item))
      .filter((d) => d.projectId === projectId);
  }

  async deleteDataset(ownerId: string, id: string): Promise<void> {
    if (!(await this.table.deleteOwned(key(DATASET, id), ownerId))) {
      throw new NotFoundError('prediction dataset', id);
    }
  }

  async nextJobNumber(ownerId: string): Promise<number> {
    const counter = key(COUNTER, ownerId);
    // The first call creates the counter at 0 (a no-op once it exists); the increment is one atomic ADD.
    await this.table.putNew(counter, { ownerId, value: 0 });
    const item = await this.table.updateOwned(counter, ownerId, {}, { value: 1 });
    if (!item) throw new Error(`the job counter of ${ownerId} vanished`);
    return Number(item.value);
  }

  async createJob(record: ProjectJobRecord): Promise<void> {
    const listing = { ownerId: record.ownerId, created: record.created };
    if (!(await this.table.putNew(jobKey(record.ownerId, record.number), record, listing))) {
      throw new ConflictError(`job ${record.number} already exists`);
    }
  }

  async getJob(ownerId: string, projectId: string, number: number): Promise<ProjectJobRecord | null> {
    const item = await this.table.readOwned(jobKey(ownerId, number), ownerId);
    const record = item && ProjectJobRecordSchema.parse(item);
    return record?.projectId === projectId ? record : null;
  }

  async listJobs(ownerId: string, projectId: string): Promise<ProjectJobRecord[]> {
    const items = await this.table.listOwned(ownerId, JOB, 'oldestFirst');
    return items.map((item) => ProjectJobRecordSchema.parse(item)).filter((j) => j.projectId === projectId);
  }

  async updateJob(ownerId: string, number: number, patch: ProjectJobPatch): Promise<ProjectJobRecord> {
    const item = await this.table.updateOwned(jobKey(ownerId, number), ownerId, { ...patch });
    if (!item) throw new NotFoundError('job', String(number));
    return ProjectJobRecordSchema.parse(item);
  }

  claimSubset(claim: SubsetClaim): Promise<boolean> {
    return this.table.putNew(claimKey(claim), claim);
  }

  async getSubsetClaim(
    ownerId: string,
    projectId: string,
    modelId: string,
    dataSubset: SubsetClaim['dataSubset'],
    supersedes: number,
  ): Promise<SubsetClaim | null> {
    const item = await this.table.readOwned(
      claimKey({ ownerId, projectId, modelId, dataSubset, supersedes }),
      ownerId,
    );
    return item && SubsetClaimSchema.parse(item);
  }

  async releaseSubsetClaim(claim: SubsetClaim): Promise<void> {
    await this.table.deleteOwned(claimKey(claim), claim.ownerId);
  }
}

function key(type: string, id: string): ItemKey {
  return { type, id };
}

/** Job numbers are per owner, so the owner is part of the key. */
function jobKey(ownerId: string, number: number): ItemKey {
  return { type: JOB, id: `${ownerId}#${number}` };
}

/** One item per link of a subset's claim chain: the key holds everything that makes the claim unique. */
function claimKey(
  claim: Pick<SubsetClaim, 'ownerId' | 'projectId' | 'modelId' | 'dataSubset' | 'supersedes'>,
): ItemKey {
  const { ownerId, projectId, modelId, dataSubset, supersedes } = claim;
  return { type: CLAIM, id: `${ownerId}#${projectId}#${modelId}#${dataSubset}#${supersedes}` };
}
