/**
 * The tables' key layouts, shared by the adapter and whatever creates the table (CDK on AWS,
 * {@link createTables} locally).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

/** One item per job, keyed `JOB#<id>` / `JOB`; the owner index lists an owner's jobs by creation time. */
export const JOBS_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ownerIndex: { name: 'byOwner', partitionKey: 'ownerPk', sortKey: 'ownerSk' },
} as const;

/**
 * Model packages, deployments and API keys, one item type per key prefix (`MODELPKG#`, `DEPLOYMENT#`,
 * `APIKEY#`, `APIKEYHASH#`); the owner index lists one owner's items of one type by creation time.
 */
export const RESOURCES_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ownerIndex: { name: 'byOwner', partitionKey: 'ownerPk', sortKey: 'ownerSk' },
} as const;

/** A table with a string partition and sort key and one string-keyed index over all attributes. */
type TableLayout = typeof JOBS_TABLE | typeof RESOURCES_TABLE;

export interface TableNames {
  readonly jobs: string;
  /** Created too when given. */
  readonly resources?: string;
}

const POLL_MS = 50;
const MAX_WAIT_MS = 30_000;

/** Creates the tables that do not exist yet and waits until all are ACTIVE. For local use and tests. */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await createTable(client, names.jobs, JOBS_TABLE);
  if (names.resources !== undefined) await createTable(client, names.resources, RESOURCES_TABLE);
}

async function createTable(client: DynamoDBClient, tableName: string, layout: TableLayout): Promise<void> {
  const { partitionKey, sortKey, ownerIndex } = layout;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [partitionKey, sortKey, ownerIndex.partitionKey, ownerIndex.sortKey].map(
          (AttributeName) => ({ AttributeName, AttributeType: 'S' }),
        ),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: ownerIndex.name,
            KeySchema: [
              { AttributeName: ownerIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: ownerIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(client, tableName);
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + MAX_WAIT_MS;
  while (Date.now() < deadline) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE within ${MAX_WAIT_MS} ms`);
}
