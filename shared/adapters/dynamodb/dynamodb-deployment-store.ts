/**
 * {@link DeploymentStore} on the resources table. Search and ordering happen after reading the owner's
 * deployments through the owner index: an owner has few enough deployments, and DynamoDB can neither sort
 * by label nor match case-insensitively.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DeploymentRecord,
  DeploymentRecordSchema,
  isDeploymentOrder,
  selectDeployments,
} from '../../domain/deployment.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { DeploymentPatch, DeploymentQuery, DeploymentStore } from '../../ports/deployment-store.js';
import { type ItemKey, ResourceTable } from './resource-table.js';

const TYPE = 'DEPLOYMENT';
const KIND = 'deployment';

export class DynamoDbDeploymentStore implements DeploymentStore {
  private readonly table: ResourceTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: DeploymentRecord): Promise<void> {
    const created = await this.table.putNew(keyOf(record.id), record, record);
    if (!created) throw new ConflictError(`${KIND} ${record.id} already exists`);
  }

  async get(ownerId: string, id: string): Promise<DeploymentRecord | null> {
    const item = await this.table.readOwned(keyOf(id), ownerId);
    return item && DeploymentRecordSchema.parse(item);
  }

  async list(
    ownerId: string,
    query: DeploymentQuery,
  ): Promise<{ items: DeploymentRecord[]; totalCount: number }> {
    const { orderBy } = query;
    if (orderBy !== undefined && !isDeploymentOrder(orderBy)) {
      throw new RangeError(`Not a deployment order: ${orderBy}`);
    }
    const all = (await this.table.listOwned(ownerId, TYPE, 'newestFirst')).map((item) =>
      DeploymentRecordSchema.parse(item),
    );
    const selected = selectDeployments(all, { search: query.search, orderBy });
    return {
      items: selected.slice(query.offset, query.offset + query.limit),
      totalCount: selected.length,
    };
  }

  async update(ownerId: string, id: string, patch: DeploymentPatch): Promise<DeploymentRecord> {
    const item = await this.table.updateOwned(keyOf(id), ownerId, { ...patch }, { version: 1 });
    if (!item) throw new NotFoundError(KIND, id);
    return DeploymentRecordSchema.parse(item);
  }

  async delete(ownerId: string, id: string): Promise<void> {
    if (!(await this.table.deleteOwned(keyOf(id), ownerId))) throw new NotFoundError(KIND, id);
  }

  countUsing(ownerId: string, modelPackageId: string): Promise<number> {
    return this.table.countOwned(ownerId, TYPE, 'modelPackageId', modelPackageId);
  }
}

function keyOf(id: string): ItemKey {
  return { type: TYPE, id };
}
