/** The model package, deployment and API key stores, all on one resources table (see RESOURCES_TABLE). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApiKeyStore } from '../../ports/api-key-store.js';
import type { DeploymentStore } from '../../ports/deployment-store.js';
import type { ModelPackageStore } from '../../ports/model-package-store.js';
import { DynamoDbApiKeyStore } from './dynamodb-api-key-store.js';
import { DynamoDbDeploymentStore } from './dynamodb-deployment-store.js';
import { DynamoDbModelPackageStore } from './dynamodb-model-package-store.js';

export interface ResourceStores {
  readonly modelPackages: ModelPackageStore;
  readonly deployments: DeploymentStore;
  readonly apiKeys: ApiKeyStore;
}

/** The three stores on table `tableName`, ready to spread into the use cases' Deps. */
export function createDynamoDbResourceStores(client: DynamoDBClient, tableName: string): ResourceStores {
  return {
    modelPackages: new DynamoDbModelPackageStore(client, tableName),
    deployments: new DynamoDbDeploymentStore(client, tableName),
    apiKeys: new DynamoDbApiKeyStore(client, tableName),
  };
}
