/**
 * The operations every store on the resources table needs (layout in {@link RESOURCES_TABLE}): items are
 * keyed by type and id, carry their owner's id, and are listed through the owner index. Owner checks are part
 * of each conditional write, so a foreign item is never changed, whoever asks.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClientFor } from './dynamodb-client.js';
import { translated, unlessConditionFails } from './dynamodb-errors.js';
import { RESOURCES_TABLE } from './tables.js';

export type Item = Record<string, unknown>;

/** An item's primary key: `<TYPE>#<id>` and the type as sort key. */
export interface ItemKey {
  readonly type: string;
  readonly id: string;
}

const { partitionKey, sortKey, ownerIndex } = RESOURCES_TABLE;
/** Every item stores its owner's id under this attribute; owner checks compare against it. */
const OWNER_ATTRIBUTE = 'ownerId';

export class ResourceTable {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClientFor(client);
  }

  /**
   * Writes a new item with `fields`; `listedAs` also lists it in the owner index under `created`.
   * False when an item with this key already exists (which is left as it was).
   */
  async putNew(
    key: ItemKey,
    fields: Item,
    listedAs?: { ownerId: string; created: string },
  ): Promise<boolean> {
    const listing = listedAs && {
      [ownerIndex.partitionKey]: ownerPartition(listedAs.ownerId, key.type),
      // Sorting by this string sorts by creation time: `created` is a fixed-width ISO timestamp.
      [ownerIndex.sortKey]: `${listedAs.created}#${key.id}`,
    };
    const written = await unlessConditionFails(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...fields, ...listing, ...primaryKey(key) },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey },
        }),
      ),
    );
    return written !== null;
  }

  /** The item's own fields (keys stripped), read consistently, or null. */
  async read(key: ItemKey): Promise<Item | null> {
    const { Item } = await translated(() =>
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: primaryKey(key), ConsistentRead: true }),
      ),
    );
    return Item ? stripKeys(Item) : null;
  }

  /** The item when it belongs to `ownerId`, else null. */
  async readOwned(key: ItemKey, ownerId: string): Promise<Item | null> {
    const item = await this.read(key);
    return item?.[OWNER_ATTRIBUTE] === ownerId ? item : null;
  }

  /** Every item of `type` the owner has, by creation time. */
  async listOwned(ownerId: string, type: string, order: 'oldestFirst' | 'newestFirst'): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await translated(() =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: ownerIndex.name,
            KeyConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': ownerIndex.partitionKey },
            ExpressionAttributeValues: { ':owner': ownerPartition(ownerId, type) },
            ScanIndexForward: order === 'oldestFirst',
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []).map(stripKeys));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** How many of the owner's items of `type` have `field` equal to `value`. */
  async countOwned(ownerId: string, type: string, field: string, value: string): Promise<number> {
    let count = 0;
    let startKey: Item | undefined;
    do {
      const page = await translated(() =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: ownerIndex.name,
            KeyConditionExpression: '#owner = :owner',
            FilterExpression: '#field = :value',
            ExpressionAttributeNames: { '#owner': ownerIndex.partitionKey, '#field': field },
            ExpressionAttributeValues: { ':owner': ownerPartition(ownerId, type), ':value': value },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  /**
   * Sets `fields` (undefined ones are skipped) and adds `increments` in one write, if the item exists and
   * belongs to `ownerId`. The updated item, or null when the condition did not hold.
   */
  async updateOwned(
    key: ItemKey,
    ownerId: string,
    fields: Item,
    increments: Readonly<Record<string, number>> = {},
  ): Promise<Item | null> {
    const sets = Object.entries(fields).filter(([, value]) => value !== undefined);
    const adds = Object.entries(increments);
    if (sets.length === 0 && adds.length === 0) return this.readOwned(key, ownerId);
    const clauses = [
      sets.length > 0 ? `SET ${sets.map(([field]) => `#${field} = :${field}`).join(', ')}` : '',
      adds.length > 0 ? `ADD ${adds.map(([field]) => `#${field} :${field}`).join(', ')}` : '',
    ];
    const changed = [...sets, ...adds];
    const updated = await unlessConditionFails(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: primaryKey(key),
          ConditionExpression: 'attribute_exists(#pk) AND #ownerId = :ownerId',
          UpdateExpression: clauses.filter(Boolean).join(' '),
          ExpressionAttributeNames: {
            '#pk': partitionKey,
            '#ownerId': OWNER_ATTRIBUTE,
            ...Object.fromEntries(changed.map(([field]) => [`#${field}`, field])),
          },
          ExpressionAttributeValues: {
            ':ownerId': ownerId,
            ...Object.fromEntries(changed.map(([field, value]) => [`:${field}`, value])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return updated ? stripKeys(updated.Attributes ?? {}) : null;
  }

  /** Deletes the item if it belongs to `ownerId`; false when there was no such item of this owner. */
  async deleteOwned(key: ItemKey, ownerId: string): Promise<boolean> {
    const written = await unlessConditionFails(
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: primaryKey(key),
          ConditionExpression: 'attribute_exists(#pk) AND #ownerId = :ownerId',
          ExpressionAttributeNames: { '#pk': partitionKey, '#ownerId': OWNER_ATTRIBUTE },
          ExpressionAttributeValues: { ':ownerId': ownerId },
        }),
      ),
    );
    return written !== null;
  }

  /** Deletes the item whoever owns it; a missing item is not an error. */
  async delete(key: ItemKey): Promise<void> {
    await translated(() =>
      this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: primaryKey(key) })),
    );
  }
}

function primaryKey(key: ItemKey): Item {
  return { [partitionKey]: `${key.type}#${key.id}`, [sortKey]: key.type };
}

function ownerPartition(ownerId: string, type: string): string {
  return `OWNER#${ownerId}#${type}`;
}

function stripKeys(item: Item): Item {
  const {
    [partitionKey]: _pk,
    [sortKey]: _sk,
    [ownerIndex.partitionKey]: _ownerPk,
    [ownerIndex.sortKey]: _ownerSk,
    ...fields
  } = item;
  return fields;
}
