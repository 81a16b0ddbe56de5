/**
 * {@link ApiKeyStore} on the resources table. Every request authenticates by hash, so the full record lives
 * in an item keyed by the hash (one consistent read per request); a small item keyed by id points at it, so
 * revoking by id is consistent too (the owner index is only eventually consistent on AWS).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ApiKeyRecord, ApiKeyRecordSchema } from '../../domain/api-key.js';
import { ConflictError } from '../../domain/errors.js';
import type { ApiKeyStore } from '../../ports/api-key-store.js';
import { type ItemKey, ResourceTable } from './resource-table.js';

const BY_HASH = 'APIKEYHASH';
const BY_ID = 'APIKEY';

export class DynamoDbApiKeyStore implements ApiKeyStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: ApiKeyRecord): Promise<void> {
    const pointer = { ownerId: record.ownerId, hash: record.hash };
    if (!(await this.table.putNew(idKey(record.id), pointer))) {
      throw new ConflictError(`API key ${record.id} already exists`);
    }
    // Listed under the id's type: the owner index then holds one entry per key, the full record.
    if (!(await this.table.putNew(hashKey(record.hash), record, record))) {
      await this.table.delete(idKey(record.id));
      throw new ConflictError('An API key with this hash already exists');
    }
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const item = await this.table.read(hashKey(hash));
    return item && ApiKeyRecordSchema.parse(item);
  }

  async list(ownerId: string): Promise<ApiKeyRecord[]> {
    const items = await this.table.listOwned(ownerId, BY_HASH, 'oldestFirst');
    return items.map((item) => ApiKeyRecordSchema.parse(item));
  }

  async revoke(ownerId: string, id: string): Promise<boolean> {
    const pointer = await this.table.readOwned(idKey(id), ownerId);
    if (!pointer) return false;
    const updated = await this.table.updateOwned(hashKey(String(pointer.hash)), ownerId, { revoked: true });
    return updated !== null;
  }
}

function idKey(id: string): ItemKey {
  return { type: BY_ID, id };
}

function hashKey(hash: string): ItemKey {
  return { type: BY_HASH, id: hash };
}
