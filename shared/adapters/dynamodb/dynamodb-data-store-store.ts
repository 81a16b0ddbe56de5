/** {@link DataStoreStore} on the resources table, items `DATASTORE#<id>` listed through the owner index. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DataStoreRecord, DataStoreRecordSchema } from '../../domain/data-store.js';
import { ConflictError } from '../../domain/errors.js';
import type { DataStorePatch, DataStoreStore } from '../../ports/data-store-store.js';
import { type ItemKey, ResourceTable } from './resource-table.js';

const TYPE = 'DATASTORE';

export class DynamoDbDataStoreStore implements DataStoreStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: DataStoreRecord): Promise<void> {
    if (!(await this.table.putNew(keyOf(record.id), record, record))) {
      throw new ConflictError(`data store ${record.id} already exists`);
    }
  }

  async get(ownerId: string, id: string): Promise<DataStoreRecord | null> {
    const item = await this.table.readOwned(keyOf(id), ownerId);
    return item && DataStoreRecordSchema.parse(item);
  }

  async list(ownerId: string): Promise<DataStoreRecord[]> {
    const items = await this.table.listOwned(ownerId, TYPE, 'oldestFirst');
    return items.map((item) => DataStoreRecordSchema.parse(item));
  }

  async update(ownerId: string, id: string, patch: DataStorePatch): Promise<DataStoreRecord | null> {
    const item = await this.table.updateOwned(keyOf(id), ownerId, { ...patch });
    return item && DataStoreRecordSchema.parse(item);
  }

  delete(ownerId: string, id: string): Promise<boolean> {
    return this.table.deleteOwned(keyOf(id), ownerId);
  }
}

function keyOf(id: string): ItemKey {
  return { type: TYPE, id };
}
