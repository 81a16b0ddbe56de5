/** {@link ModelPackageStore} on the resources table. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { type ModelPackageRecord, ModelPackageRecordSchema } from '../../domain/model-package.js';
import type { ModelPackagePatch, ModelPackageStore, Page } from '../../ports/model-package-store.js';
import { type Item, type ItemKey, ResourceTable } from './resource-table.js';

const TYPE = 'MODELPKG';
const KIND = 'model package';

export class DynamoDbModelPackageStore implements ModelPackageStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: ModelPackageRecord): Promise<void> {
    const created = await this.table.putNew(keyOf(record.id), toItem(record), record);
    if (!created) throw new ConflictError(`${KIND} ${record.id} already exists`);
  }

  async get(ownerId: string, id: string): Promise<ModelPackageRecord | null> {
    const item = await this.table.readOwned(keyOf(id), ownerId);
    return item && toRecord(item);
  }

  async getById(id: string): Promise<ModelPackageRecord | null> {
    const item = await this.table.read(keyOf(id));
    return item && toRecord(item);
  }

  async list(ownerId: string, page: Page): Promise<{ items: ModelPackageRecord[]; totalCount: number }> {
    const all = await this.table.listOwned(ownerId, TYPE, 'newestFirst');
    return {
      items: all.slice(page.offset, page.offset + page.limit).map(toRecord),
      totalCount: all.length,
    };
  }

  async update(ownerId: string, id: string, patch: ModelPackagePatch): Promise<ModelPackageRecord> {
    const { summary, ...plain } = patch;
    const fields: Item = { ...plain };
    if (summary !== undefined) fields.summaryJson = JSON.stringify(summary);
    const item = await this.table.updateOwned(keyOf(id), ownerId, fields);
    if (!item) throw new NotFoundError(KIND, id);
    return toRecord(item);
  }

  async delete(ownerId: string, id: string): Promise<void> {
    if (!(await this.table.deleteOwned(keyOf(id), ownerId))) throw new NotFoundError(KIND, id);
  }
}

function keyOf(id: string): ItemKey {
  return { type: TYPE, id };
}

// Manifest and summary are kept as JSON text, so they come back exactly as given (no number conversion, no
// empty-map quirks).
function toItem(record: ModelPackageRecord): Item {
  const { manifest, summary, ...fields } = record;
  return { ...fields, manifestJson: JSON.stringify(manifest ?? null), summaryJson: JSON.stringify(summary) };
}

function toRecord(item: Item): ModelPackageRecord {
  const { manifestJson, summaryJson, ...fields } = item;
  return ModelPackageRecordSchema.parse({
    ...fields,
    manifest: JSON.parse(String(manifestJson)),
    summary: JSON.parse(String(summaryJson)),
  });
}
