/**
 * The state machine CDK synthesizes, run by the embedded stack: the rendered definition binds every task to a
 * local step module, and jobs go through it end to end (a fresh data dir makes the stack synthesize it again).
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODULE_TAG as INFRA_MODULE_TAG } from '../../../infra/stacks/batchline-stack.js';
import {
  type CfnTemplate,
  localFunctionArn,
  MODULE_TAG,
  renderLocalDefinition,
  synthesizeStackTemplate,
} from '../../../local/state-machine-definition.js';
import { parseJobSpec } from '../../../shared/domain/job-spec.js';
import { loadModel } from '../../../shared/engine/model/load-model.js';
import { scoringOptionsOf } from '../../../shared/engine/scoring/job-scoring-options.js';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';
import { createRng, treeEnsembleClassifier } from '../../support/onnx-factory.js';
import { scoreWith } from '../../support/scoring.js';

const STEP_MODULES = ['step-prepare', 'step-score-chunk', 'step-finalize', 'step-fail'];

/** Every FunctionName a Task state of the definition (or of a Map's item processor) invokes. */
function functionNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(functionNames);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'FunctionName' && typeof inner === 'string' ? [inner] : functionNames(inner),
  );
}

describe('the synthesized definition', () => {
  let template: CfnTemplate;
  beforeAll(async () => {
    template = await synthesizeStackTemplate();
  }, 120_000);

  it('has the contract states, with each Lambda task bound to a step module that exports its core', async () => {
    const definition = renderLocalDefinition(template, 'batchline') as { StartAt: string; States: object };
    expect(definition.StartAt).toBe('PrepareJob');
    expect(Object.keys(definition.States)).toEqual(
      expect.arrayContaining([
        'PrepareJob',
        'PrepareOutcome',
        'ScoreChunks',
        'FinalizeJob',
        'FailJob',
        'JobFailed',
      ]),
    );
    expect(new Set(functionNames(definition))).toEqual(new Set(STEP_MODULES.map(localFunctionArn)));
    expect(MODULE_TAG).toBe(INFRA_MODULE_TAG);
    for (const module of STEP_MODULES) {
      const source = new URL(`../../../functions/${module}.ts`, import.meta.url);
      expect(existsSync(source)).toBe(true);
      const { run } = (await import(source.href)) as { run?: unknown };
      expect(typeof run).toBe('function');
    }
  });
});

const model = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 9, trees: 8, depth: 4 },
  zipMap: true,
  classLabels: [0, 1],
  input: { kind: 'columns', names: ['a', 'b'] },
});

function dataset(rows: number, seed: number, badRow?: number): Buffer {
  const rng = createRng(seed);
  const lines = ['id,a,b'];
  for (let i = 0; i < rows; i++) {
    const a = i === badRow ? 'not-a-number' : rng.normal().toFixed(5);
    lines.push(`${i},${a},${rng.normal().toFixed(5)}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function deploy(api: TestApi): Promise<string> {
  const started = await api.call('POST', 'modelPackages/fromOnnx/', { name: 'trees', manifest: {} });
  await fetch((started.body.links as { upload: string }).upload, { method: 'PUT', body: model });
  await api.call('POST', `modelPackages/${started.body.id}/finalize/`);
  const deployment = await api.call('POST', 'deployments/fromModelPackage/', {
    modelPackageId: started.body.id,
    label: 'trees',
  });
  expect(deployment.status).toBe(201);
  return deployment.body.id as string;
}

async function runJob(api: TestApi, spec: Record<string, unknown>, input: Buffer) {
  const created = await api.call('POST', 'batchPredictions/', spec);
  expect(created.status).toBe(202);
  const jobId = created.body.id as string;
  const put = await fetch((created.body.links as Record<string, string>).csvUpload as string, {
    method: 'PUT',
    body: input,
  });
  expect(put.status).toBe(202);
  for (let i = 0; i < 1200; i++) {
    const status = await api.call('GET', `batchPredictions/${jobId}/`);
    if (status.body.status === 'COMPLETED' || status.body.status === 'ABORTED') return status.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not end`);
}

describe('jobs through the synthesized definition on the local stack', () => {
  const api = useLocalStack({ chunkBytes: 32 * 1024 });

  it('scores the chunks concurrently and assembles output equal to one-pass scoring', async () => {
    const deploymentId = await deploy(api());
    const spec = { deploymentId, numConcurrent: 2, passthroughColumns: ['id'] };
    const input = dataset(30_000, 1);
    const done = await runJob(api(), spec, input);
    expect(done).toMatchObject({ status: 'COMPLETED', scoredRows: 30_000, failedRows: 0 });

    const res = await fetch((done.links as Record<string, string>).download as string, {
      headers: { Authorization: `Token ${api().key}` },
    });
    const output = Buffer.from(await res.arrayBuffer());
    const loaded = await loadModel(model);
    const expected = await scoreWith(loaded, input, { scoring: scoringOptionsOf(parseJobSpec(spec)) });
    await loaded.dispose();
    expect(output.equals(expected.output)).toBe(true);
  });

  it('ends the job ABORTED, naming the chunk, when a row of a later chunk fails with abortOnError', async () => {
    const deploymentId = await deploy(api());
    const done = await runJob(
      api(),
      { deploymentId, numConcurrent: 3, abortOnError: true },
      dataset(30_000, 2, 25_000),
    );
    expect(done.status).toBe('ABORTED');
    expect(String(done.statusDetails)).toMatch(/^in chunk \d+ of \d+: /);
  });
});
