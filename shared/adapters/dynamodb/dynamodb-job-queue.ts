/**
 * {@link JobQueueStore} in the jobs table (layout in {@link JOBS_TABLE}), beside the job items and outside the
 * owner index:
 * - a queue entry per waiting job, keyed `QUEUE#<deploymentId>` / `<created>#<jobId>`, so one consistent Query
 *   lists a deployment's queue in creation order (a GSI would be eventually consistent on AWS);
 * - one slot item per deployment, keyed `SLOTS` / `DEPLOYMENT#<deploymentId>`, whose string set `holders` names
 *   the jobs holding a slot. Taking a slot adds the job to the set on condition that the set is smaller than the
 *   limit or already holds the job; freeing removes it on condition that it is there. Each is one conditional
 *   write on one item, which dynalite supports as well as AWS (it has no transactions). All slot items share one
 *   partition so that a sweep finds every deployment's holders with one Query.
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
import type { DeploymentSlots, JobQueueStore, QueuedJob, QueueKey } from '../../ports/job-queue-store.js';
import { documentClientFor } from './dynamodb-client.js';
import { translated, unlessConditionFails } from './dynamodb-errors.js';
import { JOBS_TABLE } from './tables.js';

type Item = Record<string, unknown>;

const SLOTS_PK = 'SLOTS';
const { partitionKey: PK, sortKey: SK } = JOBS_TABLE;

export class DynamoDbJobQueue implements JobQueueStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClientFor(client);
  }

  async enqueue(job: QueueKey): Promise<void> {
    // The slot item first: a deployment with a queue entry is then always found by listSlots.
    await translated(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: slotsKey(job.deploymentId),
          UpdateExpression: 'SET #deployment = :deployment',
          ExpressionAttributeNames: { '#deployment': 'deploymentId' },
          ExpressionAttributeValues: { ':deployment': job.deploymentId },
        }),
      ),
    );
    await translated(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...queueEntryKey(job), jobId: job.id, created: job.created },
        }),
      ),
    );
  }

  async dequeue(job: QueueKey): Promise<boolean> {
    const written = await unlessConditionFails(
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: queueEntryKey(job),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      ),
    );
    return written !== null;
  }

  async listQueued(deploymentId: string): Promise<QueuedJob[]> {
    const items = await this.queryPartition(queuePartition(deploymentId));
    return items.map((item) => ({ jobId: String(item.jobId), created: String(item.created) }));
  }

  async acquireSlot(deploymentId: string, jobId: string, limit: number): Promise<boolean> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`The slot limit must be a positive integer, got ${limit}`);
    }
    const written = await unlessConditionFails(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: slotsKey(deploymentId),
          ConditionExpression:
            'attribute_not_exists(#holders) OR size(#holders) < :limit OR contains(#holders, :job)',
          UpdateExpression: 'SET #deployment = :deployment ADD #holders :jobSet',
          ExpressionAttributeNames: { '#holders': 'holders', '#deployment': 'deploymentId' },
          ExpressionAttributeValues: {
            ':limit': limit,
            ':job': jobId,
            ':jobSet': new Set([jobId]),
            ':deployment': deploymentId,
          },
        }),
      ),
    );
    return written !== null;
  }

  async releaseSlot(deploymentId: string, jobId: string): Promise<boolean> {
    const written = await unlessConditionFails(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: slotsKey(deploymentId),
          ConditionExpression: 'contains(#holders, :job)',
          UpdateExpression: 'DELETE #holders :jobSet',
          ExpressionAttributeNames: { '#holders': 'holders' },
          ExpressionAttributeValues: { ':job': jobId, ':jobSet': new Set([jobId]) },
        }),
      ),
    );
    return written !== null;
  }

  async slotHolders(deploymentId: string): Promise<string[]> {
    const { Item } = await translated(() =>
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: slotsKey(deploymentId), ConsistentRead: true }),
      ),
    );
    return holdersOf(Item);
  }

  async listSlots(): Promise<DeploymentSlots[]> {
    const items = await this.queryPartition(SLOTS_PK);
    return items.map((item) => ({ deploymentId: String(item.deploymentId), holders: holdersOf(item) }));
  }

  /** Every item of one partition in sort-key order, read consistently. */
  private async queryPartition(partition: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await translated(() =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': PK },
            ExpressionAttributeValues: { ':pk': partition },
            ConsistentRead: true,
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

function queuePartition(deploymentId: string): string {
  return `QUEUE#${deploymentId}`;
}

function queueEntryKey(job: QueueKey): Item {
  // `created` is a fixed-width UTC timestamp, so sort-key order is creation order.
  return { [PK]: queuePartition(job.deploymentId), [SK]: `${job.created}#${job.id}` };
}

function slotsKey(deploymentId: string): Item {
  return { [PK]: SLOTS_PK, [SK]: `DEPLOYMENT#${deploymentId}` };
}

/** The holders set, which DynamoDB drops from the item when its last member is removed. */
function holdersOf(item: Item | undefined): string[] {
  const holders = item?.holders;
  return holders instanceof Set ? [...holders].map(String).sort() : [];
}
