/**
 * The one logger, tracer and metrics instance each process shares (Powertools), the middy middlewares every Lambda
 * handler uses, and the job metrics the API and the workflow steps emit (names in shared/observability/metric-names.ts).
 */
// First: it picks the X-Ray SDK's mode, which the SDK reads when the tracer below loads it.
import './xray-mode.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';
import { z } from 'zod';
import type { Deps } from '../use-cases/deps.js';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names.js';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'batchline';

/** The structured logger every handler shares (service name from POWERTOOLS_SERVICE_NAME, set by CDK). */
export const logger = new Logger({ serviceName });

/** X-Ray tracing; Powertools turns it off by itself outside Lambda (the embedded stack, tests). */
export const tracer = new Tracer({ serviceName });

/** Custom metrics, written as CloudWatch embedded metric format (EMF) log lines when a Lambda invocation ends. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/**
 * Where EMF lines on stdout become metrics: Lambda's log ingestion, and the Fargate worker's logs, which the task's
 * awslogs driver ships to CloudWatch Logs (ECS sets ECS_CONTAINER_METADATA_URI_V4 in every task). Elsewhere (the
 * embedded stack, tests) they would be noise on stdout, so they are dropped.
 */
const shipsEmf =
  process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined ||
  process.env.ECS_CONTAINER_METADATA_URI_V4 !== undefined;

/**
 * Publishes what was recorded since the last flush, if anything (Powertools warns on every empty flush): at the
 * end of each invocation, and where no middleware does it (the Fargate worker) before the process exits.
 */
export function flushMetrics(): void {
  if (!metrics.hasStoredMetrics()) return;
  if (shipsEmf) metrics.publishStoredMetrics();
  else metrics.clearMetrics();
}

function publishMetrics(): middy.MiddlewareObj {
  const flush = async (): Promise<void> => flushMetrics();
  return { after: flush, onError: flush };
}

/**
 * The middlewares every Lambda handler starts with: the Lambda context in each log line, the invocation traced as
 * an X-Ray subsegment (responses are not captured: they carry signed URLs), and metrics published at the end.
 */
export function lambdaObservability(): middy.MiddlewareObj[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }),
    captureLambdaHandler(tracer, { captureResponse: false }),
    publishMetrics(),
  ];
}

/**
 * Counts jobs created outside the API's create routes (a schedule firing, an S3 drop), so that JobsCreated counts
 * every job whoever started it.
 */
export function recordJobsCreated(count: number): void {
  if (count > 0) metrics.addMetric(METRIC.jobsCreated, MetricUnit.Count, count);
}

/** A job's status URL, which the create routes answer with as `Location`. */
const JOB_LOCATION = /\/batchPredictions\/[0-9a-f]{24}\/$/;

/**
 * Records an API response's metrics: a POST answered 202 with a job's Location created that job (the create and
 * create-from-existing routes, and any route that starts a job the same way).
 */
export function recordApiMetrics(
  method: string,
  response: { statusCode: number; headers?: Record<string, unknown> },
): void {
  const location = response.headers?.Location;
  if (method === 'POST' && response.statusCode === 202 && typeof location === 'string') {
    if (JOB_LOCATION.test(location)) metrics.addMetric(METRIC.jobsCreated, MetricUnit.Count, 1);
  }
}

/**
 * The parts of the workflow steps' outputs (functions/step-*.ts) that say what happened to the job: ScoreChunk's
 * `outcome`, FinalizeJob's `completed`, PrepareJob's and FailJob's `aborted`.
 */
const StepOutcomeSchema = z.object({
  jobId: z.string(),
  outcome: z.string().optional(),
  completed: z.boolean().optional(),
  aborted: z.boolean().optional(),
});

/**
 * Records a workflow step's metrics from its output: a scored chunk's duration, a completed job with its row
 * counts (read from the job, once per job), an aborted job. A metric that cannot be recorded is logged, never
 * thrown: it must not fail the step.
 */
export async function recordStepMetrics(deps: Deps, output: unknown, durationMs: number): Promise<void> {
  const parsed = StepOutcomeSchema.safeParse(output);
  if (!parsed.success) return;
  const { jobId, outcome, completed, aborted } = parsed.data;
  if (outcome === 'scored') metrics.addMetric(METRIC.chunkDuration, MetricUnit.Milliseconds, durationMs);
  if (aborted === true || completed === false) metrics.addMetric(METRIC.jobsAborted, MetricUnit.Count, 1);
  if (completed !== true) return;
  metrics.addMetric(METRIC.jobsCompleted, MetricUnit.Count, 1);
  try {
    const job = await deps.jobs.getById(jobId);
    if (job === null) return;
    metrics.addMetric(METRIC.rowsScored, MetricUnit.Count, job.scoredRows);
    metrics.addMetric(METRIC.rowsFailed, MetricUnit.Count, job.failedRows);
  } catch (error) {
    logger.warn('row metrics not recorded', { jobId, error: error as Error });
  }
}
