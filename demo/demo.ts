/**
 * The demo: start the embedded stack, fit a credit-risk model, register and deploy it through the REST API,
 * score a holdout file through the API exactly as the DataRobot client does, and measure the predictions.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../cli/api-client.js';
import { scoreRemote } from '../cli/commands/score-remote.js';
import { startLocalStack } from '../local/stack.js';
import { generateApplicants, scoringCsv, TARGET } from './credit-data.js';
import { fitCreditModel } from './credit-model.js';
import { accuracy, rocAuc } from './metrics.js';

/** Demo sizes; the defaults are the `npm run demo` ones. */
export interface DemoOptions {
  /** Training rows; default 15 000. */
  trainRows?: number;
  /** Holdout rows scored through the API; default 5 000. */
  holdoutRows?: number;
  /** Default 60. */
  trees?: number;
  /** Port of the local API; default 0 (any free port). */
  port?: number;
  /** Output rows shown; default 5. */
  previewRows?: number;
  /** Where the demo narrates; default stdout. */
  log?: (line: string) => void;
}

/** What the demo measured. */
export interface DemoResult {
  deploymentId: string;
  jobId: string;
  rows: number;
  seconds: number;
  auc: number;
  accuracy: number;
  /** The output header and the first rows, as downloaded. */
  preview: string[];
}

/** Runs the whole demo on a fresh, temporary local stack, and stops it again. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const work = mkdtempSync(join(tmpdir(), 'batchline-demo-'));
  const apiKey = randomBytes(24).toString('hex');
  const stack = await startLocalStack({ port: options.port ?? 0, dataDir: join(work, 'data'), apiKey });
  try {
    log(`local stack at ${stack.endpoint}`);
    const train = generateApplicants(options.trainRows ?? 15_000, 1);
    const holdout = generateApplicants(options.holdoutRows ?? 5_000, 2, train.length + 1);
    const model = fitCreditModel(train, { trees: options.trees ?? 60, depth: 4, seed: 7 });
    log(
      `fitted a ${options.trees ?? 60}-tree GBDT on ${train.length} applicants (${model.onnx.length} bytes of ONNX)`,
    );

    const api = new ApiClient({ endpoint: stack.endpoint, apiKey });
    const modelPackage = await api.registerOnnxModel('credit-risk', model.manifest, model.onnx);
    const deployment = await api.createDeployment(modelPackage.id, 'Credit risk (demo)');
    log(`deployed model package ${modelPackage.id} as deployment ${deployment.id}`);

    const input = join(work, 'holdout.csv');
    const output = join(work, 'scored.csv');
    writeFileSync(input, scoringCsv(holdout));
    const summary = await scoreRemote(api, {
      deployment: deployment.id,
      in: input,
      out: output,
      'passthrough-columns': 'applicant_id',
    });

    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    const preview = lines.slice(0, (options.previewRows ?? 5) + 1);
    const measured = holdoutMetrics(
      lines,
      holdout.map((a) => a.isBad),
    );
    log('');
    for (const line of preview) log(`  ${line}`);
    log('');
    log(
      `scored ${summary.scoredRows} holdout rows through the API in ${summary.seconds.toFixed(2)} s ` +
        `(job ${summary.jobId}): AUC ${measured.auc.toFixed(3)}, accuracy ${measured.accuracy.toFixed(3)}`,
    );
    return {
      deploymentId: deployment.id,
      jobId: summary.jobId,
      rows: summary.scoredRows,
      seconds: summary.seconds,
      ...measured,
      preview,
    };
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** AUC of the positive-class probability and accuracy of the predicted label, rows in holdout order. */
function holdoutMetrics(
  lines: readonly string[],
  labels: readonly number[],
): { auc: number; accuracy: number } {
  const header = (lines[0] ?? '').split(',');
  const probability = header.indexOf(`${TARGET}_1_PREDICTION`);
  const label = header.indexOf(`${TARGET}_PREDICTION`);
  if (probability < 0 || label < 0) throw new Error(`unexpected output header: ${lines[0]}`);
  const rows = lines.slice(1).map((line) => line.split(','));
  if (rows.length !== labels.length)
    throw new Error(`got ${rows.length} output rows for ${labels.length} inputs`);
  return {
    auc: rocAuc(
      rows.map((r) => Number(r[probability])),
      labels,
    ),
    accuracy: accuracy(
      rows.map((r) => Number(r[label])),
      labels,
    ),
  };
}
