/**
 * {@link DatasetStore} on the resources table. A dataset is one item listed under its owner; each version is an
 * item of its own, typed per dataset (`DATASETVERSION#<datasetId>`), so one owner-index query lists a dataset's
 * versions without reading the others.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DatasetRecord,
  DatasetRecordSchema,
  type DatasetVersionRecord,
  DatasetVersionRecordSchema,
} from '../../domain/dataset.js';
import { ConflictError } from '../../domain/errors.js';
import type { DatasetPatch, DatasetStore } from '../../ports/dataset-store.js';
import { type ItemKey, ResourceTable } from './resource-table.js';

const DATASET = 'DATASET';

export class DynamoDbDatasetStore implements DatasetStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(dataset: DatasetRecord, version: DatasetVersionRecord): Promise<void> {
    // The version first: a dataset never points at a version that is not there.
    await this.putVersion(version);
    if (!(await this.table.putNew(datasetKey(dataset.id), dataset, dataset))) {
      await this.table.delete(versionKey(version.datasetId, version.id));
      throw new ConflictError(`dataset ${dataset.id} already exists`);
    }
  }

  async addVersion(version: DatasetVersionRecord): Promise<DatasetRecord | null> {
    if (!(await this.get(version.ownerId, version.datasetId))) return null;
    await this.putVersion(version);
    const updated = await this.table.updateOwned(datasetKey(version.datasetId), version.ownerId, {
      latestVersionId: version.id,
    });
    if (updated) return DatasetRecordSchema.parse(updated);
    // Deleted meanwhile: the version must not outlive it.
    await this.table.delete(versionKey(version.datasetId, version.id));
    return null;
  }

  async get(ownerId: string, datasetId: string): Promise<DatasetRecord | null> {
    const item = await this.table.readOwned(datasetKey(datasetId), ownerId);
    return item && DatasetRecordSchema.parse(item);
  }

  async list(ownerId: string): Promise<DatasetRecord[]> {
    const items = await this.table.listOwned(ownerId, DATASET, 'newestFirst');
    return items.map((item) => DatasetRecordSchema.parse(item));
  }

  async getVersion(
    ownerId: string,
    datasetId: string,
    versionId: string,
  ): Promise<DatasetVersionRecord | null> {
    const item = await this.table.readOwned(versionKey(datasetId, versionId), ownerId);
    return item && DatasetVersionRecordSchema.parse(item);
  }

  async listVersions(ownerId: string, datasetId: string): Promise<DatasetVersionRecord[]> {
    const items = await this.table.listOwned(ownerId, versionType(datasetId), 'newestFirst');
    return items.map((item) => DatasetVersionRecordSchema.parse(item));
  }

  async update(ownerId: string, datasetId: string, patch: DatasetPatch): Promise<DatasetRecord | null> {
    const item = await this.table.updateOwned(datasetKey(datasetId), ownerId, { ...patch });
    return item && DatasetRecordSchema.parse(item);
  }

  async delete(ownerId: string, datasetId: string): Promise<boolean> {
    if (!(await this.table.deleteOwned(datasetKey(datasetId), ownerId))) return false;
    for (const version of await this.listVersions(ownerId, datasetId)) {
      await this.table.delete(versionKey(datasetId, version.id));
    }
    return true;
  }

  private async putVersion(version: DatasetVersionRecord): Promise<void> {
    const key = versionKey(version.datasetId, version.id);
    if (!(await this.table.putNew(key, version, version))) {
      throw new ConflictError(`dataset version ${version.id} already exists`);
    }
  }
}

function datasetKey(id: string): ItemKey {
  return { type: DATASET, id };
}

function versionType(datasetId: string): string {
  return `DATASETVERSION#${datasetId}`;
}

function versionKey(datasetId: string, versionId: string): ItemKey {
  return { type: versionType(datasetId), id: versionId };
}
