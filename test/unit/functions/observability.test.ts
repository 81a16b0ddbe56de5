import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { awsDepsFromEnv } from '../../../functions/aws-deps.js';
import { METRIC, METRICS_NAMESPACE } from '../../../shared/observability/metric-names.js';
import {
  lambdaObservability,
  logger,
  metrics,
  recordApiMetrics,
  recordJobsCreated,
  recordStepMetrics,
  tracer,
} from '../../../shared/observability/observability.js';
import type { Deps } from '../../../shared/use-cases/deps.js';

const JOB_ID = '0123456789abcdef01234567';
const JOB_LOCATION = `https://api.example.com/prod/api/v2/batchPredictions/${JOB_ID}/`;

/** The metrics recorded so far, by name, as the EMF document Powertools would print; then forgets them. */
function recorded(): Record<string, unknown> {
  const document = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> };
  };
  metrics.clearMetrics();
  const [set] = document._aws.CloudWatchMetrics;
  expect(set?.Namespace).toBe(METRICS_NAMESPACE);
  return Object.fromEntries((set?.Metrics ?? []).map((metric) => [metric.Name, document[metric.Name]]));
}

/** Ports whose job store knows one completed job. */
function depsWithJob(getById: () => Promise<unknown>): Deps {
  return { jobs: { getById } } as unknown as Deps;
}

afterEach(() => {
  metrics.clearMetrics();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('API metrics', () => {
  it('count a job created: a POST answered 202 with the new job as Location', () => {
    recordApiMetrics('POST', { statusCode: 202, headers: { Location: JOB_LOCATION } });
    expect(recorded()).toEqual({ [METRIC.jobsCreated]: 1 });
  });

  it('count jobs created elsewhere (a schedule firing, S3 drops), and none for zero', () => {
    recordJobsCreated(3);
    recordJobsCreated(0);
    expect(recorded()).toEqual({ [METRIC.jobsCreated]: 3 });
  });

  it('count nothing else', () => {
    recordApiMetrics('GET', { statusCode: 202, headers: { Location: JOB_LOCATION } });
    recordApiMetrics('POST', { statusCode: 422, headers: {} });
    recordApiMetrics('POST', { statusCode: 202, headers: { Location: 'https://x/api/v2/deployments/1/' } });
    recordApiMetrics('DELETE', { statusCode: 202 });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});

describe('step metrics', () => {
  it('time a scored chunk, and only a scored one', async () => {
    const deps = depsWithJob(async () => null);
    await recordStepMetrics(deps, { jobId: JOB_ID, index: 3, outcome: 'scored' }, 1234);
    expect(recorded()).toEqual({ [METRIC.chunkDuration]: 1234 });
    await recordStepMetrics(deps, { jobId: JOB_ID, index: 3, outcome: 'duplicate' }, 10);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it("count a completed job with its job's row counters", async () => {
    const getById = vi.fn(async () => ({ id: JOB_ID, scoredRows: 1000, failedRows: 2 }));
    await recordStepMetrics(depsWithJob(getById), { jobId: JOB_ID, completed: true }, 50);
    expect(getById).toHaveBeenCalledWith(JOB_ID);
    expect(recorded()).toEqual({
      [METRIC.jobsCompleted]: 1,
      [METRIC.rowsScored]: 1000,
      [METRIC.rowsFailed]: 2,
    });
  });

  it('count a job a step ended ABORTED: prepare or fail saying aborted, finalize not completing', async () => {
    const deps = depsWithJob(async () => null);
    await recordStepMetrics(deps, { jobId: JOB_ID, aborted: true, chunksTotal: 0 }, 1);
    await recordStepMetrics(deps, { jobId: JOB_ID, completed: false }, 1);
    expect(recorded()).toEqual({ [METRIC.jobsAborted]: [1, 1] });
    await recordStepMetrics(deps, { jobId: JOB_ID, aborted: false, chunksTotal: 4 }, 1);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('keep the step going when the row counters cannot be read', async () => {
    const deps = depsWithJob(async () => {
      throw new Error('throttled');
    });
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    await expect(recordStepMetrics(deps, { jobId: JOB_ID, completed: true }, 1)).resolves.toBeUndefined();
    expect(recorded()).toEqual({ [METRIC.jobsCompleted]: 1 });
    expect(warn).toHaveBeenCalledWith('row metrics not recorded', expect.objectContaining({ jobId: JOB_ID }));
  });
});

/** The observability module loaded afresh with `name` set (Lambda, Fargate), and what it prints to stdout. */
async function observabilityIn(name: string, value: string) {
  vi.stubEnv(name, value);
  vi.resetModules();
  const fresh = await import('../../../shared/observability/observability.js');
  const printed: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  return { fresh, printed };
}

describe('Lambda middlewares', () => {
  const context = { functionName: 'f', awsRequestId: 'r', invokedFunctionArn: 'arn' } as Context;

  it('print the recorded metrics as one EMF line when a Lambda invocation ends, even a failed one', async () => {
    const { fresh, printed } = await observabilityIn('AWS_LAMBDA_FUNCTION_NAME', 'batchline-test');
    const handler = middy<{ fail: boolean }, string>()
      .use(fresh.lambdaObservability())
      .handler(async (event) => {
        fresh.metrics.addMetric(METRIC.jobsCreated, 'Count', 1);
        if (event.fail) throw new Error('boom');
        return 'ok';
      });
    await expect(handler({ fail: false }, context)).resolves.toBe('ok');
    await expect(handler({ fail: true }, context)).rejects.toThrow('boom');
    const emf = printed.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({ [METRIC.jobsCreated]: 1, service: 'batchline' });
  });

  it('print the Fargate worker metrics as EMF when it flushes them, which its awslogs driver ships', async () => {
    const { fresh, printed } = await observabilityIn(
      'ECS_CONTAINER_METADATA_URI_V4',
      'http://169.254.170.2/v4/task',
    );
    await fresh.recordStepMetrics(
      depsWithJob(async () => null),
      { jobId: JOB_ID, outcome: 'scored' },
      42,
    );
    fresh.flushMetrics();
    fresh.flushMetrics();
    const emf = printed.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(emf).toEqual([expect.objectContaining({ [METRIC.chunkDuration]: 42 })]);
  });

  it('leave the X-Ray SDK in manual mode outside Lambda, so it installs no async hook', () => {
    expect(process.env.AWS_XRAY_MANUAL_MODE).toBe('true');
    // cls-hooked registers the namespace of its promise-tracking hook here in automatic mode.
    const namespaces = (process as { namespaces?: Record<string, unknown> }).namespaces ?? {};
    expect(namespaces.AWSXRay ?? null).toBeNull();
  });

  it('print nothing outside Lambda (the embedded stack, tests)', async () => {
    const write = vi.spyOn(process.stdout, 'write');
    const handler = middy<unknown, string>()
      .use(lambdaObservability())
      .handler(async () => {
        metrics.addMetric(METRIC.jobsCreated, 'Count', 1);
        return 'ok';
      });
    await handler({}, context);
    expect(write.mock.calls.filter(([chunk]) => String(chunk).includes('"_aws"'))).toEqual([]);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});

describe('AWS SDK clients of a Lambda container', () => {
  it('are each captured by the tracer, so every AWS call is a subsegment of the trace', async () => {
    for (const [name, value] of Object.entries({
      BUCKET_NAME: 'b',
      JOBS_TABLE_NAME: 'j',
      RESOURCES_TABLE_NAME: 'r',
      UPLOAD_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:upload',
      DATA_PLANE_URL: 'https://d111.cloudfront.net',
      STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:jobs',
      SCHEDULE_GROUP_NAME: 'batchline',
      SCHEDULED_RUN_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:111111111111:function:run',
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::111111111111:role/scheduler',
    })) {
      vi.stubEnv(name, value);
    }
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'upload-secret' });
    const captured = vi.spyOn(tracer, 'captureAWSv3Client');
    try {
      await awsDepsFromEnv();
      const kinds = captured.mock.calls.map(([client]) => client);
      for (const kind of [SecretsManagerClient, SFNClient, S3Client, DynamoDBClient, SchedulerClient]) {
        expect(
          kinds.filter((client) => client instanceof kind),
          kind.name,
        ).toHaveLength(1);
      }
      expect(kinds).toHaveLength(5);
    } finally {
      secrets.restore();
    }
  });
});
