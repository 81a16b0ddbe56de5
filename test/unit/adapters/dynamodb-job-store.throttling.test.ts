import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/dynamodb-job-store.js';
import { JobStoreBusyError } from '../../../shared/ports/job-store.js';

// Neither dynalite nor DynamoDB Local ever throttles, so this one failure path is mocked.
const documents = mockClient(DynamoDBDocumentClient);

afterEach(() => {
  documents.reset();
});

function throttled(): ProvisionedThroughputExceededException {
  return new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds capacity',
    $metadata: {},
  });
}

describe('DynamoDbJobStore when DynamoDB keeps throttling', () => {
  const store = new DynamoDbJobStore(new DynamoDBClient({ region: 'us-east-1' }), 'jobs');

  it('reports a read that ran out of retries as JobStoreBusyError, keeping the cause', async () => {
    documents.on(GetCommand).rejects(throttled());

    const read = store.get('u1', 'j1');

    await expect(read).rejects.toBeInstanceOf(JobStoreBusyError);
    await expect(read).rejects.toMatchObject({ cause: { name: 'ProvisionedThroughputExceededException' } });
  });

  it('reports a throttled chunk completion as JobStoreBusyError, not as a duplicate delivery', async () => {
    documents.on(UpdateCommand).rejects(throttled());

    await expect(
      store.recordChunkDone('j1', 0, { scoredRows: 1, failedRows: 0, skippedRows: 0 }),
    ).rejects.toBeInstanceOf(JobStoreBusyError);
    expect(documents.commandCalls(GetCommand)).toHaveLength(0);
  });
});
