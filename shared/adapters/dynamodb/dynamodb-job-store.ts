/**
 * {@link JobStore} on one DynamoDB table (layout in {@link JOBS_TABLE}). Works against AWS and dynalite,
 * which has no transactions: every guarantee here comes from a single conditional write per operation.
 *
 * Exactly-once chunk counting: the job item keeps the indices of counted chunks in a number set, and one
 * UpdateItem adds the chunk's index to the set and its counts to the counters on condition that the index
 * is not in the set yet. A retry or duplicate delivery fails the condition and changes nothing.
 *
 * Deployment queues and slots live in the same table ({@link DynamoDbJobQueue}).
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
import {
  canTransition,
  type JobRecord,
  JobRecordSchema,
  type JobStatus,
  percentageCompleted,
} from '../../domain/job.js';
import type { DeploymentSlots, QueuedJob, QueueKey } from '../../ports/job-queue-store.js';
import {
  type ChunkCounts,
  type ChunkDoneResult,
  JobAlreadyExistsError,
  JobNotFoundError,
  type JobPage,
  type JobPatch,
  JobStateConflictError,
  type JobStore,
  type ListJobsOptions,
} from '../../ports/job-store.js';
import { documentClientFor } from './dynamodb-client.js';
import {
  isConditionFailed,
  translateDynamoError,
  translated,
  unlessConditionFails,
} from './dynamodb-errors.js';
import { DynamoDbJobQueue } from './dynamodb-job-queue.js';
import { JOBS_TABLE } from './tables.js';

type Item = Record<string, unknown>;

const JOB_SK = 'JOB';

export class DynamoDbJobStore implements JobStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly queue: DynamoDbJobQueue;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClientFor(client);
    this.queue = new DynamoDbJobQueue(client, tableName);
  }

  async create(job: JobRecord): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(job),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': JOBS_TABLE.partitionKey },
        }),
      );
    } catch (error) {
      throw isConditionFailed(error) ? new JobAlreadyExistsError(job.id) : translateDynamoError(error);
    }
  }

  async get(ownerId: string, id: string): Promise<JobRecord | null> {
    const job = await this.read(id);
    return job?.ownerId === ownerId ? job : null;
  }

  async getById(id: string): Promise<JobRecord | null> {
    return this.read(id);
  }

  async list(ownerId: string, options: ListJobsOptions): Promise<JobPage> {
    const statuses = options.statuses ?? [];
    const statusFilter = statuses.length > 0 ? inList('#status', ':status', statuses) : undefined;
    const { ownerIndex } = JOBS_TABLE;
    const matching: JobRecord[] = [];
    let startKey: Item | undefined;
    try {
      do {
        const page = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: ownerIndex.name,
            KeyConditionExpression: '#owner = :owner',
            FilterExpression: statusFilter?.expression,
            ExpressionAttributeNames: {
              '#owner': ownerIndex.partitionKey,
              ...(statusFilter && { '#status': 'status' }),
            },
            ExpressionAttributeValues: { ':owner': ownerPartition(ownerId), ...statusFilter?.values },
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
          }),
        );
        matching.push(...(page.Items ?? []).map(toRecord));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw translateDynamoError(error);
    }
    return {
      jobs: matching.slice(options.offset, options.offset + options.limit),
      totalCount: matching.length,
    };
  }

  async transition(
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    patch: JobPatch = {},
  ): Promise<JobRecord> {
    const illegal = from.filter((status) => !canTransition(status, to));
    if (from.length === 0 || illegal.length > 0) {
      throw new RangeError(`Not a job status transition: [${illegal.join(', ')}] -> ${to}`);
    }
    const fromStatuses = inList('#status', ':from', from);
    const assignments = Object.entries({ ...patch, status: to }).filter(([, value]) => value !== undefined);
    const written = await unlessConditionFails(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(id),
          ConditionExpression: `attribute_exists(#pk) AND ${fromStatuses.expression}`,
          UpdateExpression: `SET ${assignments.map(([field]) => `#${field} = :${field}`).join(', ')} ADD #version :one`,
          ExpressionAttributeNames: {
            '#pk': JOBS_TABLE.partitionKey,
            '#version': 'version',
            ...Object.fromEntries(assignments.map(([field]) => [`#${field}`, field])),
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ...fromStatuses.values,
            ...Object.fromEntries(assignments.map(([field, value]) => [`:${field}`, value])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (written) return toRecord(written.Attributes ?? {});
    throw new JobStateConflictError(id, (await this.readExisting(id)).status, to);
  }

  async recordChunkDone(id: string, chunkIndex: number, counts: ChunkCounts): Promise<ChunkDoneResult> {
    if (!Number.isInteger(chunkIndex) || chunkIndex < 0) {
      throw new RangeError(`Chunk index must be a non-negative integer, got ${chunkIndex}`);
    }
    const written = await unlessConditionFails(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(id),
          ConditionExpression:
            'attribute_exists(#pk) AND #status = :running AND #chunksTotal > :chunk AND NOT contains(#doneChunks, :chunk)',
          UpdateExpression:
            'ADD #doneChunks :chunkSet, #chunksDone :one, #scored :scored, #failed :failed, #skipped :skipped, #version :one',
          ExpressionAttributeNames: {
            '#pk': JOBS_TABLE.partitionKey,
            '#status': 'status',
            '#chunksTotal': 'chunksTotal',
            '#doneChunks': 'doneChunks',
            '#chunksDone': 'chunksDone',
            '#scored': 'scoredRows',
            '#failed': 'failedRows',
            '#skipped': 'skippedRows',
            '#version': 'version',
          },
          ExpressionAttributeValues: {
            ':running': 'RUNNING' satisfies JobStatus,
            ':chunk': chunkIndex,
            ':chunkSet': new Set([chunkIndex]),
            ':one': 1,
            ':scored': counts.scoredRows,
            ':failed': counts.failedRows,
            ':skipped': counts.skippedRows,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (written) return { applied: true, job: toRecord(written.Attributes ?? {}) };
    const job = await this.readExisting(id);
    if (job.status === 'RUNNING' && chunkIndex >= job.chunksTotal) {
      throw new RangeError(`Job ${id} has ${job.chunksTotal} chunks; there is no chunk ${chunkIndex}`);
    }
    return { applied: false, job };
  }

  async markInputComplete(id: string, size: number): Promise<JobRecord | null> {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`Input size must be a non-negative integer, got ${size}`);
    }
    const written = await unlessConditionFails(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(id),
          ConditionExpression:
            'attribute_exists(#pk) AND #status = :initializing AND (attribute_not_exists(#size) OR attribute_type(#size, :null))',
          UpdateExpression: 'SET #size = :size ADD #version :one',
          ExpressionAttributeNames: {
            '#pk': JOBS_TABLE.partitionKey,
            '#status': 'status',
            '#size': 'jobIntakeSize',
            '#version': 'version',
          },
          ExpressionAttributeValues: {
            ':initializing': 'INITIALIZING' satisfies JobStatus,
            ':null': 'NULL',
            ':size': size,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (written) return toRecord(written.Attributes ?? {});
    await this.readExisting(id);
    return null;
  }

  async appendLog(id: string, line: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(id),
          ConditionExpression: 'attribute_exists(#pk)',
          UpdateExpression: 'SET #logs = list_append(#logs, :line) ADD #version :one',
          ExpressionAttributeNames: {
            '#pk': JOBS_TABLE.partitionKey,
            '#logs': 'logs',
            '#version': 'version',
          },
          ExpressionAttributeValues: { ':line': [line], ':one': 1 },
        }),
      );
    } catch (error) {
      throw isConditionFailed(error) ? new JobNotFoundError(id) : translateDynamoError(error);
    }
  }

  async delete(id: string): Promise<void> {
    await translated(() =>
      this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: jobKey(id) })),
    );
  }

  enqueue(job: QueueKey): Promise<void> {
    return this.queue.enqueue(job);
  }

  dequeue(job: QueueKey): Promise<boolean> {
    return this.queue.dequeue(job);
  }

  listQueued(deploymentId: string): Promise<QueuedJob[]> {
    return this.queue.listQueued(deploymentId);
  }

  acquireSlot(deploymentId: string, jobId: string, limit: number): Promise<boolean> {
    return this.queue.acquireSlot(deploymentId, jobId, limit);
  }

  releaseSlot(deploymentId: string, jobId: string): Promise<boolean> {
    return this.queue.releaseSlot(deploymentId, jobId);
  }

  slotHolders(deploymentId: string): Promise<string[]> {
    return this.queue.slotHolders(deploymentId);
  }

  listSlots(): Promise<DeploymentSlots[]> {
    return this.queue.listSlots();
  }

  private async read(id: string): Promise<JobRecord | null> {
    const { Item } = await translated(() =>
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true }),
      ),
    );
    return Item ? toRecord(Item) : null;
  }

  private async readExisting(id: string): Promise<JobRecord> {
    const job = await this.read(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }
}

function jobKey(id: string): Item {
  return { [JOBS_TABLE.partitionKey]: `JOB#${id}`, [JOBS_TABLE.sortKey]: JOB_SK };
}

function ownerPartition(ownerId: string): string {
  return `OWNER#${ownerId}`;
}

/** `#name IN (:p0, :p1, ...)` with its values; DynamoDB has no list-valued placeholders. */
function inList(name: string, placeholder: string, values: readonly string[]) {
  const entries = values.map((value, i) => [`${placeholder}${i}`, value] as const);
  return {
    expression: `${name} IN (${entries.map(([key]) => key).join(', ')})`,
    values: Object.fromEntries(entries),
  };
}

function toItem(job: JobRecord): Item {
  const { spec, percentageCompleted: _derived, ...fields } = job;
  return {
    ...jobKey(job.id),
    [JOBS_TABLE.ownerIndex.partitionKey]: ownerPartition(job.ownerId),
    // Sorting by this string sorts by creation time: `created` is a fixed-width ISO timestamp.
    [JOBS_TABLE.ownerIndex.sortKey]: `${job.created}#${job.id}`,
    ...fields,
    // Kept as JSON text so the spec comes back exactly as given (no nesting limits, no number conversion).
    specJson: JSON.stringify(spec),
  };
}

function toRecord(item: Item): JobRecord {
  const {
    [JOBS_TABLE.partitionKey]: _pk,
    [JOBS_TABLE.sortKey]: _sk,
    [JOBS_TABLE.ownerIndex.partitionKey]: _ownerPk,
    [JOBS_TABLE.ownerIndex.sortKey]: _ownerSk,
    doneChunks: _doneChunks,
    specJson,
    ...fields
  } = item;
  const status = fields.status as JobStatus;
  return JobRecordSchema.parse({
    ...fields,
    spec: JSON.parse(String(specJson)),
    percentageCompleted: percentageCompleted(status, Number(fields.chunksDone), Number(fields.chunksTotal)),
  });
}
