/** {@link DataSourceStore} on the resources table, items `DATASOURCE#<id>` listed through the owner index. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DataSourceRecord, DataSourceRecordSchema } from '../../domain/data-source.js';
import { ConflictError } from '../../domain/errors.js';
import type { DataSourcePatch, DataSourceStore } from '../../ports/data-source-store.js';
import { type ItemKey, ResourceTable } from './resource-table.js';

const TYPE = 'DATASOURCE';

export class DynamoDbDataSourceStore implements DataSourceStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: DataSourceRecord): Promise<void> {
    if (!(await this.table.putNew(keyOf(record.id), record, record))) {
      throw new ConflictError(`data source ${record.id} already exists`);
    }
  }

  async get(ownerId: string, id: string): Promise<DataSourceRecord | null> {
    const item = await this.table.readOwned(keyOf(id), ownerId);
    return item && DataSourceRecordSchema.parse(item);
  }

  async list(ownerId: string): Promise<DataSourceRecord[]> {
    const items = await this.table.listOwned(ownerId, TYPE, 'oldestFirst');
    return items.map((item) => DataSourceRecordSchema.parse(item));
  }

  async update(ownerId: string, id: string, patch: DataSourcePatch): Promise<DataSourceRecord | null> {
    const item = await this.table.updateOwned(keyOf(id), ownerId, { ...patch });
    return item && DataSourceRecordSchema.parse(item);
  }

  delete(ownerId: string, id: string): Promise<boolean> {
    return this.table.deleteOwned(keyOf(id), ownerId);
  }
}

function keyOf(id: string): ItemKey {
  return { type: TYPE, id };
}
