/**
 * `npm start`: the embedded stack on this machine. Configuration by environment: BATCHLINE_PORT (default 8080),
 * BATCHLINE_DATA_DIR (default ./.batchline), BATCHLINE_API_KEY (use this key instead of generating one),
 * BATCHLINE_RETENTION_HOURS (default 48: job data older than this is deleted).
 */
import { resolve } from 'node:path';
import { startLocalStack } from './stack.js';

const port = Number(process.env.BATCHLINE_PORT ?? 8080);
const dataDir = resolve(process.env.BATCHLINE_DATA_DIR ?? '.batchline');
const retentionHours = Number(process.env.BATCHLINE_RETENTION_HOURS ?? 48);
const stack = await startLocalStack({
  port,
  dataDir,
  retentionHours,
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
