/**
 * The embedded stack's workflow assembled: the synthesized definition run by the local executor, the prepare,
 * finalize and fail steps in this thread, and chunk scoring (Lambda and Fargate items alike) in a pool of worker
 * threads, one chunk per thread, as many threads as cores at most.
 */
import { availableParallelism } from 'node:os';
import { run as fail } from '../functions/step-fail.js';
import { run as finalize } from '../functions/step-finalize.js';
import { run as prepare } from '../functions/step-prepare.js';
import { parseJobSpec } from '../shared/domain/job-spec.js';
import type { ObjectStore } from '../shared/ports/object-store.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { failJob } from '../shared/use-cases/jobs/fail-job.js';
import { requireJob } from '../shared/use-cases/jobs/job-context.js';
import { ModelCache } from '../shared/use-cases/jobs/model-cache.js';
import { readObject } from '../shared/use-cases/jobs/object-bytes.js';
import type { JsonObjectStore } from './asl/object-store.js';
import { ChunkWorkerPool } from './chunk-worker-pool.js';
import { siblingModule } from './entry-thread.js';
import type { LocalServices } from './local-deps.js';
import { localStepTasks } from './local-step-tasks.js';
import { StepFunctionsWorkflow } from './step-functions-workflow.js';

export interface LocalWorkflowOptions {
  /** The rendered state machine definition (loadLocalDefinition). */
  readonly definition: unknown;
  /** The emulators the chunk worker threads connect to. */
  readonly services: LocalServices;
  /** Chunk worker threads at most (default: the machine's available parallelism). */
  readonly threads?: number;
}

export interface LocalWorkflow {
  readonly workflow: StepFunctionsWorkflow;
  /** Stops every execution, waits for the work in flight, and ends the worker threads and loaded models. */
  close(): Promise<void>;
}

/** Builds the local workflow over `deps` (whose `workflow` forwards to it: threads' calls go there too). */
export function createLocalWorkflow(deps: Deps, options: LocalWorkflowOptions): LocalWorkflow {
  const pool = new ChunkWorkerPool({
    entry: siblingModule('chunk-worker', import.meta.url),
    settings: options.services,
    size: options.threads ?? availableParallelism(),
    workflow: deps.workflow,
  });
  // Prepare loads the model only to write the output header: no inference thread needed.
  const models = new ModelCache(2, { inference: 'in-thread' });
  const workflow = new StepFunctionsWorkflow({
    definition: options.definition,
    tasks: localStepTasks({
      prepare: (event) => prepare(deps, event, models),
      scoreChunk: (event) => pool.run(event),
      finalize: (event) => finalize(deps, event),
      fail: (event) => fail(deps, event),
    }),
    objects: bucketJson(deps.objects, options.services.bucket),
    numConcurrentOf: async (jobId) => parseJobSpec((await requireJob(deps, jobId)).spec).numConcurrent,
    failJob: (jobId, reason) => failJob(deps, jobId, reason),
  });
  return {
    workflow,
    close: async () => {
      await workflow.close();
      await pool.close();
      await models.clear();
    },
  };
}

/** The Map state's ItemReader/ResultWriter over the job bucket's object store. */
function bucketJson(objects: ObjectStore, bucket: string): JsonObjectStore {
  const check = (name: string): void => {
    if (name !== bucket) throw new Error(`NoSuchBucket: the local stack has bucket ${bucket}, not ${name}`);
  };
  return {
    getJson: async (name, key) => {
      check(name);
      return JSON.parse((await readObject(objects, key)).toString('utf8'));
    },
    putJson: async (name, key, value) => {
      check(name);
      await objects.put(key, Buffer.from(JSON.stringify(value)), { contentType: 'application/json' });
    },
  };
}
