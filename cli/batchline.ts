#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DomainError, ValidationError } from '../shared/domain/errors.js';
import { ApiClient, ApiConfigError, ApiError, apiClientOptionsFromEnv } from './api-client.js';
import { createDeployment, listDeployments } from './commands/deployments.js';
import { cancelJob, listJobs } from './commands/jobs.js';
import { scoreLocal } from './commands/score-local.js';
import { scoreRemote } from './commands/score-remote.js';
import { JOB_SPEC_FLAGS } from './job-spec-flags.js';
import { summaryLine } from './progress.js';

const USAGE = `usage:
  batchline score --model m.onnx [--manifest m.json] --in data.csv --out scored.csv [options]   (local)
  batchline score --deployment ID --in data.csv --out scored.csv [job-spec options]             (remote)
  batchline deployments create --model m.onnx [--manifest m.json] [--label L]
  batchline deployments list
  batchline jobs list [--status RUNNING,INITIALIZING]
  batchline jobs get ID
  batchline jobs cancel ID
remote commands talk to BATCHLINE_ENDPOINT (e.g. http://127.0.0.1:8080/api/v2) with BATCHLINE_API_KEY.

job-spec options (DataRobot names in brackets):
  --passthrough-columns a,b          [passthroughColumns]
  --passthrough-all                  [passthroughColumnsSet=all]
  --no-probabilities                 [includeProbabilities=false]
  --include-probabilities-classes x,y [includeProbabilitiesClasses]
  --include-prediction-status        [includePredictionStatus]
  --no-abort-on-error                [abortOnError=false]: count failed rows instead of stopping
  --column-names-remapping '{"a":"b","c":null}' [columnNamesRemapping]
  --prediction-threshold 0.7         [predictionThreshold]
  --delimiter ';'|tab  --quotechar "'"  --encoding latin_1   [csvSettings]
  --job-spec spec.json               a whole job spec; flags override it
engine options:
  --threads N (onnxruntime threads, default 1)  --batch-rows N (default 4096)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'score') return score(rest);
  if (command === 'deployments') return deployments(rest);
  if (command === 'jobs') return jobs(rest);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command "${command}"`);
}

async function score(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...JOB_SPEC_FLAGS,
      model: { type: 'string' },
      manifest: { type: 'string' },
      deployment: { type: 'string' },
      in: { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string' },
      'batch-rows': { type: 'string' },
    },
    strict: true,
  });
  const { model, deployment, in: input, out } = values;
  if (model && deployment)
    throw new UsageError('score takes --model (local) or --deployment (remote), not both');
  if (deployment) {
    if (!input || !out) throw new UsageError('score --deployment needs --in and --out');
    const summary = await scoreRemote(remoteApi(), { ...values, deployment, in: input, out });
    process.stderr.write(`${summaryLine(summary)} (job ${summary.jobId})\n`);
    return 0;
  }
  if (!model || !input || !out)
    throw new UsageError('score needs --model, --in and --out (or --deployment ID to score remotely)');
  const summary = await scoreLocal({ ...values, model, in: input, out });
  process.stderr.write(`${summaryLine(summary)}\n`);
  return 0;
}

async function deployments([sub, ...args]: string[]): Promise<number> {
  if (sub === 'create') {
    const { values } = parseArgs({
      args,
      options: { model: { type: 'string' }, manifest: { type: 'string' }, label: { type: 'string' } },
      strict: true,
    });
    const { model } = values;
    if (!model) throw new UsageError('deployments create needs --model');
    return printJson(await createDeployment(remoteApi(), { ...values, model }));
  }
  if (sub === 'list') {
    parseArgs({ args, options: {}, strict: true });
    return printJson(await listDeployments(remoteApi()));
  }
  throw new UsageError(`unknown deployments command "${sub ?? ''}" (create, list)`);
}

async function jobs([sub, ...args]: string[]): Promise<number> {
  if (sub === 'list') {
    const { values } = parseArgs({ args, options: { status: { type: 'string' } }, strict: true });
    return printJson(await listJobs(remoteApi(), values.status));
  }
  if (sub === 'get' || sub === 'cancel') {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
    const [id] = positionals;
    if (!id || positionals.length > 1) throw new UsageError(`jobs ${sub} needs one job id`);
    const api = remoteApi();
    return printJson(sub === 'get' ? await api.getJob(id) : await cancelJob(api, id));
  }
  throw new UsageError(`unknown jobs command "${sub ?? ''}" (list, get, cancel)`);
}

function remoteApi(): ApiClient {
  return new ApiClient(apiClientOptionsFromEnv());
}

function printJson(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ValidationError) {
      process.stderr.write(
        `batchline: invalid job spec:\n${error.problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}\n`,
      );
    } else if (error instanceof ApiError && error.errors) {
      const fields = Object.entries(error.errors).map(([field, message]) => `  ${field}: ${message}`);
      process.stderr.write(`batchline: ${error.message}\n${fields.join('\n')}\n`);
    } else if (error instanceof ApiError || error instanceof ApiConfigError) {
      process.stderr.write(`batchline: ${error.message}\n`);
    } else if (error instanceof DomainError || error instanceof UsageError || isArgError(error)) {
      process.stderr.write(`batchline: ${(error as Error).message}\n`);
      if (error instanceof UsageError || isArgError(error)) process.stderr.write(`${USAGE}\n`);
    } else if (isNodeFsError(error)) {
      process.stderr.write(`batchline: ${error.message}\n`);
    } else {
      process.stderr.write(`batchline: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exit(1);
  },
);

function isArgError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

function isNodeFsError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error
  );
}
