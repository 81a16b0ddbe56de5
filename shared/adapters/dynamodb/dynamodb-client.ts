/** DynamoDB client settings for running against a local emulator (dynalite). */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** Client settings for dynalite at `endpoint`, which accepts any credentials and region. */
export function localDynamoClientConfig(endpoint: string): DynamoDBClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}
