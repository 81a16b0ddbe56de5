#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DomainError, ValidationError } from '../shared/domain/errors.js';
import { scoreLocal } from './commands/score-local.js';
import { JOB_SPEC_FLAGS } from './job-spec-flags.js';
import { summaryLine } from './progress.js';

const USAGE = `usage:
  batchline score --model m.onnx [--manifest m.json] --in data.csv --out scored.csv [options]

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
  if (command === 'score') {
    const { values } = parseArgs({
      args: rest,
      options: {
        ...JOB_SPEC_FLAGS,
        model: { type: 'string' },
        manifest: { type: 'string' },
        in: { type: 'string' },
        out: { type: 'string' },
        threads: { type: 'string' },
        'batch-rows': { type: 'string' },
      },
      strict: true,
    });
    const { model, in: input, out } = values;
    if (!model || !input || !out) throw new UsageError('score needs --model, --in and --out');
    const summary = await scoreLocal({ ...values, model, in: input, out });
    process.stderr.write(`${summaryLine(summary)}\n`);
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command "${command}"`);
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ValidationError) {
      process.stderr.write(
        `batchline: invalid job spec:\n${error.problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}\n`,
      );
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
