import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgeDefinitionScheduler } from '../shared/adapters/scheduler/eventbridge-definition-scheduler.js';
import { secretString } from '../shared/adapters/secrets/secrets-manager.js';
import {
  credentialSecretPrefix,
  SecretsManagerVault,
} from '../shared/adapters/secrets/secrets-manager-vault.js';
import { StepFunctionsWorkflow } from '../shared/adapters/sfn/step-functions-workflow.js';
import { ConflictError } from '../shared/domain/errors.js';
import { logger, tracer } from '../shared/observability/observability.js';
import { bootstrapAdminKey } from '../shared/use-cases/api-keys/bootstrap-admin-key.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { jobSettings, requireJob } from '../shared/use-cases/jobs/job-context.js';
import { type LambdaEnv, lambdaEnv } from './config.js';
import { wireDeps } from './wire-deps.js';

/**
 * The ports of a Lambda container, from the environment the stack sets (clients created once per container).
 * API handlers are also given the deploy-time admin key, which is stored (hashed) here on every cold start.
 */
export async function awsDepsFromEnv(): Promise<Deps> {
  const env = lambdaEnv();
  const secrets = traced(new SecretsManagerClient({}));
  const [uploadSecret, adminKey] = await Promise.all([
    secretString(secrets, env.UPLOAD_SECRET_ARN),
    env.ADMIN_KEY_SECRET_ARN === undefined ? undefined : secretString(secrets, env.ADMIN_KEY_SECRET_ARN),
  ]);
  const sfn = traced(new SFNClient({}));
  const deps = wireDeps({
    s3: traced(new S3Client({})),
    bucket: env.BUCKET_NAME,
    dynamo: traced(new DynamoDBClient({})),
    jobsTable: env.JOBS_TABLE_NAME,
    resourcesTable: env.RESOURCES_TABLE_NAME,
    vault: new SecretsManagerVault(secrets, credentialSecretPrefix(env.RESOURCES_TABLE_NAME)),
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
      ...(env.EXTERNAL_WRITE_LIMIT_BYTES === undefined
        ? {}
        : { externalWriteLimitBytes: env.EXTERNAL_WRITE_LIMIT_BYTES }),
    },
    scheduler: definitionScheduler(env),
    workflow: (deps) =>
      new StepFunctionsWorkflow(sfn, env.STATE_MACHINE_ARN, (jobId) => numConcurrentOf(deps, jobId)),
  });
  if (adminKey !== undefined) await ensureAdminKey(deps, adminKey);
  return deps;
}

/**
 * Each AWS call becomes an X-Ray subsegment of the invocation's trace (Powertools leaves the client as it is where
 * tracing is off).
 */
function traced<C>(client: C): C {
  return tracer.captureAWSv3Client(client);
}

/** EventBridge Scheduler for job definitions when the stack configured it for this function, else none. */
function definitionScheduler(env: LambdaEnv): EventBridgeDefinitionScheduler | undefined {
  const groupName = env.SCHEDULE_GROUP_NAME;
  const targetArn = env.SCHEDULED_RUN_FUNCTION_ARN;
  const roleArn = env.SCHEDULER_ROLE_ARN;
  if (!groupName || !targetArn || !roleArn) return undefined;
  const deadLetterArn = env.SCHEDULER_DEAD_LETTER_ARN;
  return new EventBridgeDefinitionScheduler(traced(new SchedulerClient({})), {
    groupName,
    targetArn,
    roleArn,
    ...(deadLetterArn ? { deadLetterArn } : {}),
  });
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
