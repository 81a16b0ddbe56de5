import { z } from 'zod';
import {
  CreateDataSourceSchema,
  DataSourceUploadSchema,
  UpdateDataSourceSchema,
} from '../domain/data-source.js';
import { CreateDataStoreSchema, UpdateDataStoreSchema } from '../domain/data-store.js';
import { JobDefinitionInputSchema } from '../domain/job-definition.js';
import { JobSpecInputSchema } from '../domain/job-spec.js';
import { ModelManifestSchema } from '../engine/model/manifest.js';
import { CreateApiKeySchema } from '../use-cases/api-keys/manage-api-keys.js';
import { CreateCredentialSchema } from '../use-cases/credentials/manage-credentials.js';
import { TestDataStoreSchema } from '../use-cases/data-stores/manage-data-stores.js';
import { DatasetFromUrlSchema } from '../use-cases/datasets/dataset-from-url.js';
import { DatasetPatchSchema } from '../use-cases/datasets/manage-datasets.js';
import {
  CreateDeploymentSchema,
  UpdateDeploymentSchema,
} from '../use-cases/deployments/deployment-requests.js';
import { FromJobDefinitionSchema } from '../use-cases/job-definitions/run-definition.js';
import { FromExistingSchema } from '../use-cases/jobs/create-job.js';
import { StartModelUploadSchema } from '../use-cases/model-packages/start-model-upload.js';
import { CreateDeploymentFromModelSchema, ReplaceModelSchema } from './request-schemas.js';

/** Request bodies, generated from the same zod schemas that validate them. */
const SCHEMAS: Record<string, z.ZodType> = {
  JobSpec: JobSpecInputSchema,
  FromExisting: FromExistingSchema,
  JobDefinition: JobDefinitionInputSchema,
  FromJobDefinition: FromJobDefinitionSchema,
  CreateDeployment: CreateDeploymentSchema,
  CreateDeploymentFromModel: CreateDeploymentFromModelSchema,
  UpdateDeployment: UpdateDeploymentSchema,
  ReplaceModel: ReplaceModelSchema,
  StartModelUpload: StartModelUploadSchema,
  ModelManifest: ModelManifestSchema,
  CreateApiKey: CreateApiKeySchema,
  CreateCredential: CreateCredentialSchema,
  CreateDataStore: CreateDataStoreSchema,
  UpdateDataStore: UpdateDataStoreSchema,
  TestDataStore: TestDataStoreSchema,
  CreateDataSource: CreateDataSourceSchema,
  UpdateDataSource: UpdateDataSourceSchema,
  DataSourceUpload: DataSourceUploadSchema,
  DatasetFromUrl: DatasetFromUrlSchema,
  DatasetPatch: DatasetPatchSchema,
};

type Op = { summary: string; body?: keyof typeof SCHEMAS; ok: number; params?: string[]; query?: string[] };

const PATHS: Record<string, Record<string, Op>> = {
  '/version/': { get: { summary: 'API version (major 2, as DataRobot clients require)', ok: 200 } },
  '/batchPredictions/': {
    post: { summary: 'Create a batch prediction job', body: 'JobSpec', ok: 202 },
    get: { summary: 'List jobs (DataRobot paging)', ok: 200, query: ['status', 'offset', 'limit'] },
  },
  '/batchPredictions/fromExisting/': {
    post: { summary: 'Create a job with the spec of an existing one', body: 'FromExisting', ok: 202 },
  },
  '/batchPredictions/fromJobDefinition/': {
    post: { summary: 'Run a job definition now (run_once)', body: 'FromJobDefinition', ok: 202 },
  },
  '/batchPredictionJobDefinitions/': {
    post: {
      summary: 'Create a job definition (spec + name, enabled, schedule, trigger)',
      body: 'JobDefinition',
      ok: 202,
    },
    get: {
      summary: 'List job definitions',
      ok: 200,
      query: ['searchName', 'deploymentId', 'offset', 'limit'],
    },
  },
  '/batchPredictionJobDefinitions/{id}/': {
    get: { summary: 'Job definition', ok: 200, params: ['id'] },
    patch: {
      summary: 'Update a job definition (merged over the stored one)',
      body: 'JobDefinition',
      ok: 200,
      params: ['id'],
    },
    delete: { summary: 'Delete a job definition and its schedule', ok: 204, params: ['id'] },
  },
  '/batchPredictions/{id}/': {
    get: { summary: 'Job status document', ok: 200, params: ['id'] },
    delete: { summary: 'Abort a job', ok: 202, params: ['id'] },
  },
  '/batchPredictions/{id}/download/': {
    get: { summary: 'Stream the scored CSV (follows chunks while the job runs)', ok: 200, params: ['id'] },
  },
  '/deployments/': {
    get: { summary: 'List deployments', ok: 200, query: ['search', 'orderBy', 'offset', 'limit'] },
  },
  '/deployments/fromModelPackage/': {
    post: { summary: 'Deploy a model package', body: 'CreateDeployment', ok: 201 },
  },
  '/deployments/fromLearningModel/': {
    post: {
      summary: 'Deploy a model package (DataRobot client form)',
      body: 'CreateDeploymentFromModel',
      ok: 201,
    },
  },
  '/deployments/{id}/': {
    get: { summary: 'Deployment', ok: 200, params: ['id'] },
    patch: { summary: 'Update label/description', body: 'UpdateDeployment', ok: 200, params: ['id'] },
    delete: { summary: 'Delete a deployment', ok: 204, params: ['id'] },
  },
  '/deployments/{id}/model/': {
    patch: { summary: "Replace the deployment's model", body: 'ReplaceModel', ok: 202, params: ['id'] },
  },
  '/deployments/{id}/settings/': { get: { summary: 'Deployment settings', ok: 200, params: ['id'] } },
  '/status/{id}/': {
    get: { summary: 'Status of an asynchronous change (303 when done)', ok: 303, params: ['id'] },
  },
  '/modelPackages/': { get: { summary: 'List model packages', ok: 200, query: ['offset', 'limit'] } },
  '/modelPackages/fromOnnx/': {
    post: {
      summary: 'Start a model upload: returns a presigned URL for the ONNX file',
      body: 'StartModelUpload',
      ok: 201,
    },
  },
  '/modelPackages/{id}/finalize/': {
    post: { summary: 'Validate the uploaded ONNX file and its manifest', ok: 200, params: ['id'] },
  },
  '/modelPackages/{id}/trainingData/': {
    post: {
      summary: 'Start a training CSV upload (before finalize): sampled into the explanation background',
      ok: 201,
      params: ['id'],
    },
    get: { summary: 'Explanation background source and training column statistics', ok: 200, params: ['id'] },
  },
  '/modelPackages/{id}/': {
    get: { summary: 'Model package', ok: 200, params: ['id'] },
    delete: { summary: 'Delete a model package not used by a deployment', ok: 204, params: ['id'] },
  },
  '/apiKeys/': {
    get: { summary: "List the caller's API keys (no secrets)", ok: 200 },
    post: { summary: 'Create an API key (shown once)', body: 'CreateApiKey', ok: 201 },
  },
  '/apiKeys/{id}/': { delete: { summary: 'Revoke an API key', ok: 204, params: ['id'] } },
  '/credentials/': {
    post: {
      summary: 'Store a credential (s3 or basic; the secret is never returned)',
      body: 'CreateCredential',
      ok: 201,
    },
    get: {
      summary: "List the caller's credentials (no secrets)",
      ok: 200,
      query: ['types', 'offset', 'limit'],
    },
  },
  '/credentials/{id}/': {
    get: { summary: 'A stored credential (no secret)', ok: 200, params: ['id'] },
    delete: { summary: 'Delete a credential and its secret', ok: 204, params: ['id'] },
  },
  '/externalDataDrivers/': {
    get: { summary: 'The JDBC drivers this build runs (PostgreSQL, MySQL, MariaDB)', ok: 200 },
  },
  '/externalDataDrivers/{id}/': { get: { summary: 'A JDBC driver', ok: 200, params: ['id'] } },
  '/externalDataStores/': {
    post: { summary: 'Store a JDBC data store (driver and JDBC URL)', body: 'CreateDataStore', ok: 201 },
    get: { summary: "List the caller's data stores", ok: 200 },
  },
  '/externalDataStores/{id}/test/': {
    post: {
      summary: 'Test a connection with a user and password (not stored)',
      body: 'TestDataStore',
      ok: 200,
      params: ['id'],
    },
  },
  '/externalDataStores/{id}/': {
    get: { summary: 'A data store', ok: 200, params: ['id'] },
    patch: {
      summary: 'Rename a data store or change its driver/URL',
      body: 'UpdateDataStore',
      ok: 200,
      params: ['id'],
    },
    delete: { summary: 'Delete a data store', ok: 204, params: ['id'] },
  },
  '/externalDataSources/': {
    post: {
      summary: 'Store a JDBC data source (a query or table on a data store)',
      body: 'CreateDataSource',
      ok: 201,
    },
    get: {
      summary: "List the caller's data sources (DataRobot paging)",
      ok: 200,
      query: ['offset', 'limit'],
    },
  },
  '/externalDataSources/{id}/': {
    get: { summary: 'A data source', ok: 200, params: ['id'] },
    patch: {
      summary: 'Rename a data source or replace its params',
      body: 'UpdateDataSource',
      ok: 200,
      params: ['id'],
    },
    delete: { summary: 'Delete a data source', ok: 204, params: ['id'] },
  },
  '/projects/{id}/predictionDatasets/dataSourceUploads/': {
    post: {
      summary:
        'Upload a prediction dataset from a data source (read once; 202, then the status URL 303s to the dataset)',
      body: 'DataSourceUpload',
      ok: 202,
      params: ['id'],
    },
  },
  '/datasets/fromFile/': {
    post: { summary: 'Create a dataset from a multipart `file` upload (CSV or Parquet)', ok: 202 },
  },
  '/datasets/fromURL/': {
    post: { summary: 'Create a dataset from an s3:// object', body: 'DatasetFromUrl', ok: 202 },
  },
  '/datasets/': {
    get: {
      summary: "List the caller's datasets (latest versions)",
      ok: 200,
      query: ['category', 'offset', 'limit'],
    },
  },
  '/datasets/{id}/': {
    get: { summary: "A dataset's latest version", ok: 200, params: ['id'] },
    patch: { summary: 'Rename or recategorize a dataset', body: 'DatasetPatch', ok: 200, params: ['id'] },
    delete: { summary: 'Delete a dataset, its versions and their data', ok: 204, params: ['id'] },
  },
  '/datasets/{id}/versions/': {
    get: {
      summary: "A dataset's versions, newest first",
      ok: 200,
      params: ['id'],
      query: ['offset', 'limit'],
    },
  },
  '/datasets/{id}/versions/fromFile/': {
    post: { summary: 'Add a version from a multipart `file` upload', ok: 202, params: ['id'] },
  },
  '/datasets/{id}/versions/fromURL/': {
    post: { summary: 'Add a version from an s3:// object', body: 'DatasetFromUrl', ok: 202, params: ['id'] },
  },
  '/datasets/{id}/versions/{versionId}/': {
    get: { summary: 'One version of a dataset', ok: 200, params: ['id', 'versionId'] },
  },
  '/datasets/{id}/versions/{versionId}/status/': {
    get: { summary: 'Upload status: 303 to the version once stored', ok: 303, params: ['id', 'versionId'] },
  },
};

/** The OpenAPI 3.1 document of the API, served at `openapi.json`. */
export function openApiDocument(baseUrl: string): Record<string, unknown> {
  const schemas = Object.fromEntries(
    Object.entries(SCHEMAS).map(([name, schema]) => [
      name,
      z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }),
    ]),
  );
  const paths = Object.fromEntries(
    Object.entries(PATHS).map(([path, ops]) => [
      path,
      Object.fromEntries(
        Object.entries(ops).map(([method, op]) => [
          method,
          {
            summary: op.summary,
            parameters: [
              ...(op.params ?? []).map((name) => ({
                name,
                in: 'path',
                required: true,
                schema: { type: 'string' },
              })),
              ...(op.query ?? []).map((name) => ({
                name,
                in: 'query',
                required: false,
                schema: { type: 'string' },
              })),
            ],
            ...(op.body
              ? {
                  requestBody: {
                    required: true,
                    content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` } } },
                  },
                }
              : {}),
            responses: {
              [op.ok]: { description: 'Success' },
              '401': { $ref: '#/components/responses/Error' },
              '404': { $ref: '#/components/responses/Error' },
              '422': { $ref: '#/components/responses/Error' },
            },
          },
        ]),
      ),
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Batchline Batch Prediction API',
      version: '2.28.0',
      description: "Wire-compatible with DataRobot's Batch Prediction API.",
    },
    servers: [{ url: baseUrl }],
    security: [{ bearer: [] }, { token: [] }],
    paths,
    components: {
      schemas: {
        ...schemas,
        Error: {
          type: 'object',
          required: ['message'],
          properties: {
            message: { type: 'string' },
            errors: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
      responses: {
        Error: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'Token <key>, as DataRobot clients send it',
        },
      },
    },
  };
}
