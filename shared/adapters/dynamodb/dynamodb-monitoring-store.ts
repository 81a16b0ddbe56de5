/**
 * Monitoring on the resources table: items `MONITORING#<deploymentId>` / `SETTINGS` and
 * `MONITORING#<deploymentId>` / `BUCKET#<hour>#<modelId>`, so a time range is one Query on the sort key.
 * A bucket is JSON with the change ids already applied and a version for optimistic concurrency: concurrent
 * finalizes and actuals batches merge by read, add, conditional write, retried on conflict.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type MonitoringBucket,
  MonitoringBucketSchema,
  mergeBuckets,
} from '../../domain/monitoring/bucket.js';
import { type MonitoringSettings, MonitoringSettingsSchema } from '../../domain/monitoring/settings.js';
import type { MonitoringStore } from '../../ports/monitoring-store.js';
import { documentClientFor } from './dynamodb-client.js';
import { translated, unlessConditionFails } from './dynamodb-errors.js';
import { RESOURCES_TABLE } from './tables.js';

const { partitionKey: PK, sortKey: SK } = RESOURCES_TABLE;
const SETTINGS = 'SETTINGS';
const BUCKET = 'BUCKET#';
/** Conditional-write attempts before giving up on a hot bucket. */
const MAX_ATTEMPTS = 20;
/** Change ids a bucket remembers; older ones are dropped (a retry comes minutes, not hundreds of changes, later). */
const MAX_APPLIED = 500;

const partition = (deploymentId: string): string => `MONITORING#${deploymentId}`;
const bucketKey = (hour: string, modelId: string): string => `${BUCKET}${hour}#${modelId}`;

export class DynamoDbMonitoringStore implements MonitoringStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClientFor(client);
  }

  async getSettings(deploymentId: string): Promise<MonitoringSettings | null> {
    const item = await this.read(deploymentId, SETTINGS);
    return item ? MonitoringSettingsSchema.parse(JSON.parse(item.data as string)) : null;
  }

  async putSettings(deploymentId: string, settings: MonitoringSettings): Promise<void> {
    await translated(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [PK]: partition(deploymentId), [SK]: SETTINGS, data: JSON.stringify(settings) },
        }),
      ),
    );
  }

  async addToBucket(deploymentId: string, changeId: string, delta: MonitoringBucket): Promise<boolean> {
    const sk = bucketKey(delta.hour, delta.modelId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const item = await this.read(deploymentId, sk);
      const applied = (item?.applied as string[] | undefined) ?? [];
      if (applied.includes(changeId)) return false;
      const version = (item?.version as number | undefined) ?? 0;
      const merged = item ? mergeBuckets(parseBucket(item), delta) : delta;
      const written = await unlessConditionFails(
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              [PK]: partition(deploymentId),
              [SK]: sk,
              data: JSON.stringify(merged),
              applied: [...applied, changeId].slice(-MAX_APPLIED),
              version: version + 1,
            },
            ConditionExpression: item ? '#version = :version' : 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: item ? { '#version': 'version' } : { '#pk': PK },
            ExpressionAttributeValues: item ? { ':version': version } : undefined,
          }),
        ),
      );
      if (written !== null) return true;
    }
    throw new Error(`monitoring bucket ${sk} of deployment ${deploymentId} stayed contended`);
  }

  async buckets(deploymentId: string, fromHour: string, toHour: string): Promise<MonitoringBucket[]> {
    const items = await this.query(deploymentId, {
      condition: '#pk = :pk AND #sk BETWEEN :from AND :to',
      values: { ':from': `${BUCKET}${fromHour}`, ':to': `${BUCKET}${toHour}` },
    });
    // BETWEEN is inclusive and `<toHour>#<model>` sorts after `<toHour>`: drop buckets of hour toHour itself.
    return items.map(parseBucket).filter((b) => b.hour < toHour);
  }

  private async read(deploymentId: string, sk: string): Promise<Record<string, unknown> | null> {
    const { Item } = await translated(() =>
      this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [PK]: partition(deploymentId), [SK]: sk },
          ConsistentRead: true,
        }),
      ),
    );
    return Item ?? null;
  }

  private async query(
    deploymentId: string,
    where: { condition: string; values: Record<string, string> },
  ): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await translated(() =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: where.condition,
            ExpressionAttributeNames: where.condition.includes('#sk')
              ? { '#pk': PK, '#sk': SK }
              : { '#pk': PK },
            ExpressionAttributeValues: { ':pk': partition(deploymentId), ...where.values },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

function parseBucket(item: Record<string, unknown>): MonitoringBucket {
  return MonitoringBucketSchema.parse(JSON.parse(item.data as string));
}
