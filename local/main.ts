/**
 * `npm start`: the embedded stack on this machine. Configuration by environment: BATCHLINE_PORT (default 8080),
 * BATCHLINE_DATA_DIR (default ./.batchline), BATCHLINE_API_KEY (use this key instead of generating one),
 * BATCHLINE_RETENTION_HOURS (default 48: job data older than this is deleted), BATCHLINE_MAX_CONCURRENT_JOBS
 * (default 1: jobs one deployment runs at once, later ones queue), BATCHLINE_JOB_RUNTIME_LIMIT_HOURS (default 4).
 *
 * The npm scripts that run the stack (start, demo, bench) pass `--single-threaded-gc`. Here the chunk threads are
 * the parallelism, one per core; V8's helper threads doing background marking and sweeping for every thread's
 * heap only take those cores from them. With the flag each thread collects its own heap, and a 1M-row job at
 * numConcurrent 2 ran 1.67-1.83x faster than at 1 instead of 1.54x (docs/scale-out.md).
 */
import { resolve } from 'node:path';
import { startLocalStack } from './stack.js';

const port = Number(process.env.BATCHLINE_PORT ?? 8080);
const dataDir = resolve(process.env.BATCHLINE_DATA_DIR ?? '.batchline');
const retentionHours = Number(process.env.BATCHLINE_RETENTION_HOURS ?? 48);
const maxConcurrentJobsPerDeployment = positiveInteger('BATCHLINE_MAX_CONCURRENT_JOBS');
const jobRuntimeLimitHours = positiveNumber('BATCHLINE_JOB_RUNTIME_LIMIT_HOURS');
const stack = await startLocalStack({
  port,
  dataDir,
  retentionHours,
  maxConcurrentJobsPerDeployment,
  jobRuntimeLimitHours,
  apiKey: process.env.BATCHLINE_API_KEY || undefined,
});
process.stdout.write(
  [
    `Batchline is running (data in ${dataDir})`,
    `  endpoint: ${stack.endpoint}`,
    `  API key:  ${stack.apiKey ?? '(kept from an earlier start; see BATCHLINE_API_KEY or the api-key file in the data dir)'}`,
    '',
    'Try it:',
    `  export BATCHLINE_ENDPOINT=${stack.endpoint} BATCHLINE_API_KEY=${stack.apiKey ?? '<key>'}`,
    '  npx batchline deployments create --model model.onnx',
    '  python: dr.Client(endpoint=..., token=...); dr.BatchPredictionJob.score_to_file(deployment_id, "in.csv", "out.csv")',
    '',
  ].join('\n'),
);
const shutdown = () => {
  stack.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

/** The variable as a positive number, undefined when unset; a malformed value stops the start. */
function positiveNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function positiveInteger(name: string): number | undefined {
  const value = positiveNumber(name);
  if (value !== undefined && !Number.isInteger(value))
    throw new Error(`${name} must be an integer, got ${value}`);
  return value;
}
