import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LambdaWorkflow } from '../shared/adapters/lambda/lambda-workflow.js';
import { secretString } from '../shared/adapters/secrets/secrets-manager.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { lambdaEnv } from './config.js';
import { wireDeps } from './wire-deps.js';

/** The ports of a Lambda container, from the environment the stack sets (clients created once per container). */
export async function awsDepsFromEnv(): Promise<Deps> {
  const env = lambdaEnv();
  const uploadSecret = await secretString(new SecretsManagerClient({}), env.UPLOAD_SECRET_ARN);
  const lambda = new LambdaClient({});
  return wireDeps({
    s3: new S3Client({}),
    bucket: env.BUCKET_NAME,
    dynamo: new DynamoDBClient({}),
    jobsTable: env.JOBS_TABLE_NAME,
    resourcesTable: env.RESOURCES_TABLE_NAME,
    config: {
      uploadSecret,
      dataPlaneUrl: env.DATA_PLANE_URL.replace(/\/$/, ''),
      uploadUrlSeconds: env.UPLOAD_URL_SECONDS,
      chunkBytes: env.CHUNK_BYTES,
      retentionHours: env.RETENTION_HOURS,
    },
    workflow: () => new LambdaWorkflow(lambda, env.JOB_RUNNER_FUNCTION_NAME),
  });
}
