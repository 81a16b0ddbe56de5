import { z } from 'zod';
import { JobSpecInputSchema } from '../domain/job-spec.js';
import { ModelManifestSchema } from '../engine/model/manifest.js';
import { CreateApiKeySchema } from '../use-cases/api-keys/manage-api-keys.js';
import {
  CreateDeploymentSchema,
  UpdateDeploymentSchema,
} from '../use-cases/deployments/deployment-requests.js';
import { FromExistingSchema } from '../use-cases/jobs/create-job.js';
import { StartModelUploadSchema } from '../use-cases/model-packages/start-model-upload.js';
import { CreateDeploymentFromModelSchema, ReplaceModelSchema } from './request-schemas.js';

/** Request bodies, generated from the same zod schemas that validate them. */
const SCHEMAS: Record<string, z.ZodType> = {
  JobSpec: JobSpecInputSchema,
  FromExisting: FromExistingSchema,
  CreateDeployment: CreateDeploymentSchema,
  CreateDeploymentFromModel: CreateDeploymentFromModelSchema,
  UpdateDeployment: UpdateDeploymentSchema,
  ReplaceModel: ReplaceModelSchema,
  StartModelUpload: StartModelUploadSchema,
  ModelManifest: ModelManifestSchema,
  CreateApiKey: CreateApiKeySchema,
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
  '/modelPackages/{id}/': {
    get: { summary: 'Model package', ok: 200, params: ['id'] },
    delete: { summary: 'Delete a model package not used by a deployment', ok: 204, params: ['id'] },
  },
  '/apiKeys/': {
    get: { summary: "List the caller's API keys (no secrets)", ok: 200 },
    post: { summary: 'Create an API key (shown once)', body: 'CreateApiKey', ok: 201 },
  },
  '/apiKeys/{id}/': { delete: { summary: 'Revoke an API key', ok: 204, params: ['id'] } },
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
