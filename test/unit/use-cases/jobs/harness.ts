/**
 * A job pipeline on the emulators for use-case tests: DynamoDB job store and S3 object store on dynalite and
 * s3rver, a model package (a tree ensemble from the ONNX factory) in an in-memory package store, and two
 * dependency bags over the same stores: `deps`, whose workflow runs jobs in the background, and `manual`, whose
 * workflow only records starts so a test can drive the steps itself.
 */
import { randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbJobStore } from '../../../../shared/adapters/dynamodb/dynamodb-job-store.js';
import { createTables } from '../../../../shared/adapters/dynamodb/tables.js';
import { ensureBucket } from '../../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../../shared/adapters/s3/s3-object-store.js';
import { initialJobRecord, type JobRecord } from '../../../../shared/domain/job.js';
import { type JobSpecInput, parseJobSpec } from '../../../../shared/domain/job-spec.js';
import { type ModelPackageRecord, modelObjectKey } from '../../../../shared/domain/model-package.js';
import { resolveDialect } from '../../../../shared/engine/csv/dialect.js';
import { loadModel } from '../../../../shared/engine/model/load-model.js';
import { scoringOptionsOf } from '../../../../shared/engine/scoring/job-scoring-options.js';
import { scoreStream } from '../../../../shared/engine/scoring/score-stream.js';
import type { ModelPackageStore } from '../../../../shared/ports/model-package-store.js';
import type { Workflow } from '../../../../shared/ports/workflow.js';
import type { Deps } from '../../../../shared/use-cases/deps.js';
import { completeInput, putInputPart } from '../../../../shared/use-cases/jobs/input-upload.js';
import { ModelCache } from '../../../../shared/use-cases/jobs/model-cache.js';
import { useEmulators } from '../../../support/emulators.js';
import { createRng, treeEnsembleClassifier } from '../../../support/onnx-factory.js';
import { collector, piecesOf } from '../../../support/scoring.js';
import { SequentialWorkflow } from '../../../support/sequential-workflow.js';

export const OWNER = 'owner-a';

export const MODEL_BYTES = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 5, trees: 6, depth: 3 },
  classLabels: ['no', 'yes'],
  zipMap: true,
  input: { kind: 'columns', names: ['a', 'b'] },
});

/** A CSV whose passthrough text holds delimiters, quotes, newlines and non-ASCII letters, with blank lines. */
export function messyCsv(rows: number, seed = 1, header = 'id,note,a,b'): string {
  const rng = createRng(seed);
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const note = ['plain', '"with, comma"', '"two\nlines"', '"say ""hi"""', 'Zoë', ''][rng.int(6)];
    lines.push(`${i},${note},${rng.normal().toFixed(4)},${rng.normal().toFixed(3)}`);
    if (rng.int(40) === 0) lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Records starts and stops without running anything. */
class RecordingWorkflow implements Workflow {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  async start(jobId: string): Promise<void> {
    this.started.push(jobId);
  }
  async stop(jobId: string): Promise<void> {
    this.stopped.push(jobId);
  }
}

class InMemoryModelPackages implements ModelPackageStore {
  private readonly records = new Map<string, ModelPackageRecord>();
  async create(record: ModelPackageRecord): Promise<void> {
    this.records.set(record.id, record);
  }
  async get(ownerId: string, id: string): Promise<ModelPackageRecord | null> {
    const record = this.records.get(id);
    return record?.ownerId === ownerId ? record : null;
  }
  async getById(id: string): Promise<ModelPackageRecord | null> {
    return this.records.get(id) ?? null;
  }
  async list(): Promise<{ items: ModelPackageRecord[]; totalCount: number }> {
    throw new Error('not used by the job pipeline');
  }
  async update(): Promise<ModelPackageRecord> {
    throw new Error('not used by the job pipeline');
  }
  async delete(): Promise<void> {
    throw new Error('not used by the job pipeline');
  }
}

/** A port the pipeline must not touch: any use fails the test. */
function unusedPort<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      throw new Error(`the job pipeline used deps.${name}.${String(property)}`);
    },
  });
}

export interface JobHarness {
  /** Jobs run in the background by a SequentialWorkflow. */
  readonly deps: Deps;
  readonly workflow: SequentialWorkflow;
  /** Same stores; completing input only records the start. */
  readonly manual: Deps;
  readonly recorded: RecordingWorkflow;
  /** The model cache manual steps use. */
  readonly models: ModelCache;
  readonly modelPackageId: string;
  /** A new INITIALIZING localFile job for `OWNER` (or `ownerId`) with the given spec fields. */
  createJob(spec?: Omit<JobSpecInput, 'deploymentId'>, ownerId?: string): Promise<JobRecord>;
  /** Uploads parts (a single part goes in as part 0) and completes the input, starting the job. */
  upload(jobId: string, parts: readonly (string | Buffer)[], through?: 'deps' | 'manual'): Promise<void>;
  /** One-pass scoring of the whole input with the job's settings: what the assembled output must equal. */
  expectedOutput(job: JobRecord, input: string | Buffer): Promise<Buffer>;
  /** Polls the job until `done` holds (or fails after `timeoutMs`). */
  waitFor(jobId: string, done: (job: JobRecord) => boolean, timeoutMs?: number): Promise<JobRecord>;
  job(jobId: string): Promise<JobRecord>;
}

/** Registers emulator and store set-up for a test file; `chunkBytes` is the target chunk size of every job. */
export function useJobHarness(chunkBytes: number): JobHarness {
  const emulators = useEmulators();
  let state: Omit<JobHarness, 'createJob' | 'upload' | 'expectedOutput' | 'waitFor' | 'job'> | undefined;
  const current = () => {
    if (!state) throw new Error('the harness is set up in beforeAll');
    return state;
  };

  beforeAll(async () => {
    const bucket = 'batchline-jobs-test';
    await ensureBucket(emulators.s3, bucket);
    await createTables(emulators.dynamo, { jobs: 'jobs-test' });
    const modelPackages = new InMemoryModelPackages();
    const objects = new S3ObjectStore(emulators.s3, bucket, { partCopy: false });
    const modelPackageId = randomBytes(12).toString('hex');
    await objects.put(modelObjectKey(modelPackageId), MODEL_BYTES);
    await modelPackages.create({
      id: modelPackageId,
      ownerId: OWNER,
      name: 'trees',
      status: 'READY',
      statusDetails: 'ready',
      manifest: {},
      objectKey: modelObjectKey(modelPackageId),
      sizeBytes: MODEL_BYTES.length,
      summary: null,
      created: new Date().toISOString(),
    });
    const recorded = new RecordingWorkflow();
    let deps: Deps | undefined;
    const workflow = new SequentialWorkflow(() => deps as Deps, { onUnexpectedError: () => {} });
    const common = {
      jobs: new DynamoDbJobStore(emulators.dynamo, 'jobs-test'),
      objects,
      modelPackages,
      deployments: unusedPort<Deps['deployments']>('deployments'),
      apiKeys: unusedPort<Deps['apiKeys']>('apiKeys'),
      definitions: unusedPort<Deps['definitions']>('definitions'),
      scheduler: unusedPort<Deps['scheduler']>('scheduler'),
      projects: unusedPort<Deps['projects']>('projects'),
      credentials: unusedPort<Deps['credentials']>('credentials'),
      externalS3: unusedPort<Deps['externalS3']>('externalS3'),
      datasets: unusedPort<Deps['datasets']>('datasets'),
      dataStores: unusedPort<Deps['dataStores']>('dataStores'),
      dataSources: unusedPort<Deps['dataSources']>('dataSources'),
      sql: unusedPort<Deps['sql']>('sql'),
      clock: { now: () => new Date() },
      newId: () => randomBytes(12).toString('hex'),
      config: {
        uploadSecret: 'test-secret',
        dataPlaneUrl: 'http://127.0.0.1:1',
        uploadUrlSeconds: 3600,
        chunkBytes,
        retentionHours: 48,
      },
    };
    deps = { ...common, workflow };
    state = {
      deps,
      workflow,
      manual: { ...common, workflow: recorded },
      recorded,
      models: new ModelCache(),
      modelPackageId,
    };
  });

  afterAll(async () => {
    await state?.workflow.close();
    await state?.models.clear();
  });

  const job = async (jobId: string): Promise<JobRecord> => {
    const found = await current().deps.jobs.getById(jobId);
    if (!found) throw new Error(`no job ${jobId}`);
    return found;
  };

  return {
    get deps() {
      return current().deps;
    },
    get workflow() {
      return current().workflow;
    },
    get manual() {
      return current().manual;
    },
    get recorded() {
      return current().recorded;
    },
    get models() {
      return current().models;
    },
    get modelPackageId() {
      return current().modelPackageId;
    },
    async createJob(spec = {}, ownerId = OWNER) {
      const { deps, modelPackageId } = current();
      const id = deps.newId();
      // A deployment per job: jobs of one deployment queue behind each other (queue-*.test.ts), and these
      // tests drive independent jobs, some of which they leave unfinished.
      const deploymentId = `deployment-${id}`;
      const record = initialJobRecord({
        id,
        ownerId,
        deploymentId,
        modelVersionId: modelPackageId,
        spec: parseJobSpec({ deploymentId, ...spec }),
        created: new Date().toISOString(),
      });
      await deps.jobs.create(record);
      return record;
    },
    async upload(jobId, parts, through = 'deps') {
      const deps = current()[through];
      for (const [index, part] of parts.entries()) {
        await putInputPart(deps, jobId, index, Buffer.isBuffer(part) ? part : Buffer.from(part));
      }
      await completeInput(deps, jobId);
    },
    async expectedOutput(record, input) {
      const spec = parseJobSpec(record.spec);
      const model = await loadModel(MODEL_BYTES);
      try {
        const { sink, bytes } = collector();
        await scoreStream(model, piecesOf(Buffer.isBuffer(input) ? input : Buffer.from(input), 1000), sink, {
          scoring: scoringOptionsOf(spec),
          dialect: resolveDialect(spec.csvSettings),
        });
        return bytes();
      } finally {
        await model.dispose();
      }
    },
    async waitFor(jobId, done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await job(jobId);
        if (done(found)) return found;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} still ${found.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    job,
  };
}

/** The text in an encoding iconv-lite knows (for UTF-16 input). */
export function encoded(text: string, encoding: string): Buffer {
  return iconv.encode(text, encoding);
}
