/** The model package, deployment and API key stores, all on one resources table (see RESOURCES_TABLE). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApiKeyStore } from '../../ports/api-key-store.js';
import type { DataSourceStore } from '../../ports/data-source-store.js';
import type { DataStoreStore } from '../../ports/data-store-store.js';
import type { DatasetStore } from '../../ports/dataset-store.js';
import type { JobDefinitionStore } from '../../ports/definition-store.js';
import type { DeploymentStore } from '../../ports/deployment-store.js';
import type { ModelPackageStore } from '../../ports/model-package-store.js';
import type { ProjectStore } from '../../ports/project-store.js';
import { DynamoDbApiKeyStore } from './dynamodb-api-key-store.js';
import { DynamoDbDataSourceStore } from './dynamodb-data-source-store.js';
import { DynamoDbDataStoreStore } from './dynamodb-data-store-store.js';
import { DynamoDbDatasetStore } from './dynamodb-dataset-store.js';
import { DynamoDbDeploymentStore } from './dynamodb-deployment-store.js';
import { DynamoDbJobDefinitionStore } from './dynamodb-job-definition-store.js';
import { DynamoDbModelPackageStore } from './dynamodb-model-package-store.js';
import { DynamoDbProjectStore } from './dynamodb-project-store.js';

export interface ResourceStores {
  readonly modelPackages: ModelPackageStore;
  readonly deployments: DeploymentStore;
  readonly apiKeys: ApiKeyStore;
  readonly definitions: JobDefinitionStore;
  readonly projects: ProjectStore;
  readonly dataStores: DataStoreStore;
  readonly dataSources: DataSourceStore;
  readonly datasets: DatasetStore;
}

/** The stores on table `tableName`, ready to spread into the use cases' Deps. */
export function createDynamoDbResourceStores(client: DynamoDBClient, tableName: string): ResourceStores {
  return {
    modelPackages: new DynamoDbModelPackageStore(client, tableName),
    deployments: new DynamoDbDeploymentStore(client, tableName),
    apiKeys: new DynamoDbApiKeyStore(client, tableName),
    definitions: new DynamoDbJobDefinitionStore(client, tableName),
    projects: new DynamoDbProjectStore(client, tableName),
    dataStores: new DynamoDbDataStoreStore(client, tableName),
    dataSources: new DynamoDbDataSourceStore(client, tableName),
    datasets: new DynamoDbDatasetStore(client, tableName),
  };
}
