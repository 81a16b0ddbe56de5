import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { secretString } from '../shared/adapters/secrets/secrets-manager.js';
import { StepFunctionsWorkflow } from '../shared/adapters/sfn/step-functions-workflow.js';
import { ConflictError } from '../shared/domain/errors.js';
import { bootstrapAdminKey } from '../shared/use-cases/api-keys/bootstrap-admin-key.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { jobSettings, requireJob } from '../shared/use-cases/jobs/job-context.js';
import { lambdaEnv } from './config.js';
import { logger } from './observability.js';
import { wireDeps } from './wire-deps.js';

/**
 * The ports of a Lambda container, from the environment the stack sets (clients created once per container).
 * API handlers are also given the deploy-time admin key, which is stored (hashed) here on every cold start.
 */
export async function awsDepsFromEnv(): Promise<Deps> {
  const env = lambdaEnv();
  const secrets = new SecretsManagerClient({});
  const [uploadSecret, adminKey] = await Promise.all([
    secretString(secrets, env.UPLOAD_SECRET_ARN),
    env.ADMIN_KEY_SECRET_ARN === undefined ? undefined : secretString(secrets, env.ADMIN_KEY_SECRET_ARN),
  ]);
  const sfn = new SFNClient({});
  const deps = wireDeps({
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
      ...(env.MAX_CONCURRENT_JOBS_PER_DEPLOYMENT === undefined
        ? {}
        : { maxConcurrentJobsPerDeployment: env.MAX_CONCURRENT_JOBS_PER_DEPLOYMENT }),
      ...(env.JOB_RUNTIME_LIMIT_HOURS === undefined
        ? {}
        : { jobRuntimeLimitHours: env.JOB_RUNTIME_LIMIT_HOURS }),
    },
    workflow: (deps) =>
      new StepFunctionsWorkflow(sfn, env.STATE_MACHINE_ARN, (jobId) => numConcurrentOf(deps, jobId)),
  });
  if (adminKey !== undefined) await ensureAdminKey(deps, adminKey);
  return deps;
}

/** The job's numConcurrent, from its spec: how many of its chunks the state machine scores at once. */
export async function numConcurrentOf(deps: Deps, jobId: string): Promise<number> {
  return jobSettings(await requireJob(deps, jobId)).spec.numConcurrent;
}

/**
 * Stores the deploy-time admin key unless it exists. Idempotent, and safe when cold starts race: the key store
 * refuses a second record with the same hash. A key an admin has revoked stays revoked (logged, not fatal: the API
 * must keep serving the other keys).
 */
export async function ensureAdminKey(deps: Deps, key: string): Promise<void> {
  try {
    if (await bootstrapAdminKey(deps, { key })) logger.info('deploy-time admin key stored');
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    logger.warn('deploy-time admin key not stored', { reason: error.message });
  }
}
