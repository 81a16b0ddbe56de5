/**
 * The Fargate chunk worker's entry point (the container's `node dist/functions/chunk-worker-main.js`): scores
 * chunk CHUNK_INDEX of job JOB_ID, which the state machine's `ScoreChunkOnFargate` passes as container
 * environment, with the same step core as the Lambda scorer. The exit code is the result Step Functions sees:
 * 0 when the chunk is done (scored, counted before, or the job has ended), 1 when scoring failed unexpectedly.
 * The rest of the environment is the step functions' (functions/config.ts).
 */
import { z } from 'zod';
import { flushMetrics, logger, recordStepMetrics } from '../shared/observability/observability.js';
import { getDeps } from './composition.js';
import { run } from './step-score-chunk.js';

const WorkerEnvSchema = z.object({
  JOB_ID: z.string().min(1),
  CHUNK_INDEX: z.string().regex(/^\d+$/, 'a chunk index').transform(Number),
});

try {
  const env = WorkerEnvSchema.parse(process.env);
  const deps = await getDeps();
  const started = performance.now();
  const result = await run(deps, { jobId: env.JOB_ID, index: env.CHUNK_INDEX, worker: 'fargate' });
  await recordStepMetrics(deps, result, performance.now() - started);
  logger.info('chunk worker done', { ...result });
  // Printed as EMF on stdout, which the task's awslogs driver ships to CloudWatch Logs, where they become metrics.
  // No X-Ray here: the task runs no X-Ray daemon, and Powertools' tracer is off outside Lambda.
  flushMetrics();
  // Exits at once rather than waiting for the SDK clients' keep-alive sockets and the model's worker thread.
  process.exit(0);
} catch (error) {
  logger.error('chunk worker failed', { error: error as Error });
  flushMetrics();
  process.exit(1);
}
