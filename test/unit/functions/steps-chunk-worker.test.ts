import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as finalize } from '../../../functions/step-finalize.js';
import { run as prepare } from '../../../functions/step-prepare.js';
import { run as scoreChunk } from '../../../functions/step-score-chunk.js';
import { wireDeps } from '../../../functions/wire-deps.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { ensureBucket } from '../../../shared/adapters/s3/s3-client.js';
import { EncryptedTableVault } from '../../../shared/adapters/secrets/encrypted-table-vault.js';
import { initialJobRecord, type JobRecord } from '../../../shared/domain/job.js';
import { parseJobSpec } from '../../../shared/domain/job-spec.js';
import { modelObjectKey } from '../../../shared/domain/model-package.js';
import { resolveDialect } from '../../../shared/engine/csv/dialect.js';
import { loadModel } from '../../../shared/engine/model/load-model.js';
import { scoringOptionsOf } from '../../../shared/engine/scoring/job-scoring-options.js';
import { scoreStream } from '../../../shared/engine/scoring/score-stream.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { completeInput, putInputPart } from '../../../shared/use-cases/jobs/input-upload.js';
import { outputKey, partKey } from '../../../shared/use-cases/jobs/job-keys.js';
import { ModelCache } from '../../../shared/use-cases/jobs/model-cache.js';
import { readObject } from '../../../shared/use-cases/jobs/object-bytes.js';
import { useEmulators } from '../../support/emulators.js';
import { collector, piecesOf } from '../../support/scoring.js';
import { MODEL_BYTES, messyCsv } from '../use-cases/jobs/harness.js';
import type { WorkerTestServices } from './steps-worker-preload.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PRELOAD = pathToFileURL(fileURLToPath(new URL('./steps-worker-preload.ts', import.meta.url))).href;
const emulators = useEmulators();
const models = new ModelCache();
let services: WorkerTestServices;
let deps: Deps;

beforeAll(async () => {
  services = {
    s3Endpoint: emulators.s3Endpoint,
    dynamoEndpoint: emulators.dynamoEndpoint,
    bucket: 'batchline-worker-test',
    jobsTable: 'jobs-worker-test',
    resourcesTable: 'resources-worker-test',
    config: {
      uploadSecret: 'test-secret',
      dataPlaneUrl: 'http://127.0.0.1:1',
      uploadUrlSeconds: 3600,
      chunkBytes: 500,
      retentionHours: 48,
    },
  };
  await ensureBucket(emulators.s3, services.bucket);
  await createTables(emulators.dynamo, { jobs: services.jobsTable, resources: services.resourcesTable });
  deps = wireDeps({
    ...services,
    s3: emulators.s3,
    dynamo: emulators.dynamo,
    partCopy: false,
    vault: new EncryptedTableVault(emulators.dynamo, services.resourcesTable, randomBytes(32)),
    workflow: () => ({ start: async () => {}, stop: async () => {} }),
  });
});

afterAll(() => models.clear());

/** A READY model package and a prepared job of `input` on it, as the state machine leaves it before the Map. */
async function preparedJob(input: string): Promise<{ job: JobRecord; chunksTotal: number }> {
  const packageId = randomBytes(12).toString('hex');
  await deps.objects.put(modelObjectKey(packageId), MODEL_BYTES);
  await deps.modelPackages.create({
    id: packageId,
    ownerId: 'owner-w',
    name: 'trees',
    status: 'READY',
    statusDetails: 'ready',
    manifest: {},
    objectKey: modelObjectKey(packageId),
    sizeBytes: MODEL_BYTES.length,
    summary: null,
    created: new Date().toISOString(),
  });
  const job = initialJobRecord({
    id: randomBytes(12).toString('hex'),
    ownerId: 'owner-w',
    deploymentId: 'deployment-w',
    modelVersionId: packageId,
    spec: parseJobSpec({ deploymentId: 'deployment-w', passthroughColumns: ['id'] }),
    created: new Date().toISOString(),
  });
  await deps.jobs.create(job);
  await putInputPart(deps, job.id, 0, Buffer.from(input));
  await completeInput(deps, job.id);
  const prepared = await prepare(deps, { jobId: job.id, numConcurrent: 1 }, models);
  return { job, chunksTotal: prepared.chunksTotal };
}

/** Runs the container entry point as its own process, with the environment ScoreChunkOnFargate gives it. */
function runWorker(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', PRELOAD, 'functions/chunk-worker-main.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, WORKER_TEST_SERVICES: JSON.stringify(services) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
  });
  child.stderr.on('data', (data: Buffer) => {
    output += data.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function onePassOutput(job: JobRecord, input: string): Promise<Buffer> {
  const spec = parseJobSpec(job.spec);
  const model = await loadModel(MODEL_BYTES);
  try {
    const { sink, bytes } = collector();
    await scoreStream(model, piecesOf(Buffer.from(input)), sink, {
      scoring: scoringOptionsOf(spec),
      dialect: resolveDialect(spec.csvSettings),
    });
    return bytes();
  } finally {
    await model.dispose();
  }
}

describe('Fargate chunk worker entry point (functions/chunk-worker-main.ts) as a process', () => {
  it('scores the chunk JOB_ID/CHUNK_INDEX names, exits 0, and its part joins the one-pass output', async () => {
    const input = messyCsv(80, 51);
    const { job, chunksTotal } = await preparedJob(input);
    expect(chunksTotal).toBeGreaterThan(2);

    const worker = await runWorker({ JOB_ID: job.id, CHUNK_INDEX: '1' });
    expect(worker.code, worker.output).toBe(0);
    expect(worker.output).toContain('chunk worker done');
    expect(await deps.jobs.getById(job.id)).toMatchObject({ status: 'RUNNING', chunksDone: 1 });
    expect(await deps.objects.head(partKey(job.id, 1))).not.toBeNull();

    // The rest on the Lambda path; then the assembled output is exactly one-pass scoring of the whole input.
    for (let index = 0; index < chunksTotal; index++) {
      const { outcome } = await scoreChunk(deps, { jobId: job.id, index, worker: 'lambda' }, models);
      expect(outcome).toBe(index === 1 ? 'duplicate' : 'scored');
    }
    expect((await finalize(deps, { jobId: job.id })).completed).toBe(true);
    expect((await readObject(deps.objects, outputKey(job.id))).equals(await onePassOutput(job, input))).toBe(
      true,
    );
  }, 60_000);

  it('exits 1 without scoring when its environment names no chunk, or a chunk outside the plan', async () => {
    const { job, chunksTotal } = await preparedJob(messyCsv(20, 52));

    const missing = await runWorker({ JOB_ID: job.id, CHUNK_INDEX: 'first' });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('CHUNK_INDEX');
    const outside = await runWorker({ JOB_ID: job.id, CHUNK_INDEX: String(chunksTotal) });
    expect(outside.code).toBe(1);
    expect(outside.output).toContain(`there is no chunk ${chunksTotal}`);
    expect(await deps.jobs.getById(job.id)).toMatchObject({ status: 'RUNNING', chunksDone: 0 });
  }, 60_000);
});
