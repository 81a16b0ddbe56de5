/**
 * Queueing of jobs whose input is external (dataset intake here): they queue and dispatch at creation, beside
 * localFile jobs that queue when their upload completes. Jobs are created at once on one deployment through the
 * real use cases on dynalite and s3rver, with the queue port's calls held or delayed to force the interleavings of
 * enqueue, list, acquire and release; every job must start and end, and no slot or queue entry may remain (the
 * order of starts is checked in queue-order and queue-races).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type JobRecord } from '../../../../shared/domain/job.js';
import type { JobQueueStore } from '../../../../shared/ports/job-queue-store.js';
import type { JobStore } from '../../../../shared/ports/job-store.js';
import { createDataset } from '../../../../shared/use-cases/datasets/manage-datasets.js';
import { createDeployment } from '../../../../shared/use-cases/deployments/create-deployment.js';
import type { Deps } from '../../../../shared/use-cases/deps.js';
import { createJob } from '../../../../shared/use-cases/jobs/create-job.js';
import { dispatchQueued } from '../../../../shared/use-cases/jobs/dispatch.js';
import { ModelCache } from '../../../../shared/use-cases/jobs/model-cache.js';
import { createRng } from '../../../support/onnx-factory.js';
import { registerModel, useEmulatedDeps } from '../deployments/emulated-deps.js';
import { binaryModel } from '../deployments/models.js';
import { gate, StepWorkflow, uploadInput } from './queue-harness.js';

const OWNER = 'queue-owner';
const CSV = 'a,b\n1,2\n3,4\n';

type QueueCall = keyof JobQueueStore;

interface QueueHooks {
  /** Runs before the call reaches the store; the call waits for it. */
  readonly before?: (call: QueueCall, args: readonly unknown[]) => Promise<void> | void;
  /** Runs after the store answered; the caller gets the answer once it resolves. */
  readonly after?: (call: QueueCall, args: readonly unknown[], result: unknown) => Promise<void> | void;
}

const QUEUE_CALLS: ReadonlySet<string> = new Set<QueueCall>([
  'enqueue',
  'dequeue',
  'listQueued',
  'acquireSlot',
  'releaseSlot',
  'slotHolders',
  'listSlots',
]);

/** The job store with `hooks` around each of its queue calls, so a test can hold one caller at a chosen point. */
function withQueueHooks(jobs: JobStore, hooks: QueueHooks): JobStore {
  return new Proxy(jobs, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || !QUEUE_CALLS.has(property)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      const call = property as QueueCall;
      return async (...args: unknown[]) => {
        await hooks.before?.(call, args);
        const result: unknown = await value.apply(target, args);
        await hooks.after?.(call, args, result);
        return result;
      };
    },
  });
}

describe('queueing jobs with external intake', () => {
  const emulated = useEmulatedDeps();
  const models = new ModelCache();
  let modelPackageId = '';
  let datasetId = '';
  /** A dataset without the model's columns: its jobs end ABORTED in prepare, within milliseconds. */
  let badDatasetId = '';

  beforeAll(async () => {
    modelPackageId = (await registerModel(emulated(), OWNER, binaryModel())).id;
    const source = (body: string) => ({
      fileName: 'in.csv',
      origin: 'file' as const,
      body: Buffer.from(body),
    });
    datasetId = (await createDataset(emulated(), OWNER, source(CSV))).dataset.id;
    badDatasetId = (await createDataset(emulated(), OWNER, source('x,y\n1,2\n'))).dataset.id;
  });

  /** Deps on the emulated stores whose workflow runs every step, with these hooks on the queue and this limit. */
  function queueDeps(hooks: QueueHooks, limit = 1): { deps: Deps; workflow: StepWorkflow } {
    const base = emulated();
    const workflow = new StepWorkflow(models);
    const deps = workflow.attach({
      ...base,
      jobs: withQueueHooks(base.jobs, hooks),
      workflow,
      config: { ...base.config, maxConcurrentJobsPerDeployment: limit },
    });
    return { deps, workflow };
  }

  async function newDeployment(deps: Deps): Promise<string> {
    return (await createDeployment(deps, OWNER, { modelPackageId, label: 'queue' })).id;
  }

  const fromDataset = (deploymentId: string, id = datasetId) => ({
    deploymentId,
    intakeSettings: { type: 'dataset', datasetId: id },
  });

  /** Every job ended; none holds a slot or waits in the queue. */
  async function expectDrained(deps: Deps, deploymentId: string, jobs: readonly JobRecord[]) {
    const ended = await Promise.all(jobs.map((job) => deps.jobs.getById(job.id)));
    expect(ended.map((job) => job && isTerminal(job.status))).toEqual(jobs.map(() => true));
    expect(await deps.jobs.slotHolders(deploymentId)).toEqual([]);
    expect(await deps.jobs.listQueued(deploymentId)).toEqual([]);
    return ended;
  }

  it('starts a job created while a late dispatch held, then freed, the slot of a job that had just ended', async () => {
    // The late dispatch (the first job's own, at its creation) reads the first job as waiting and is overtaken:
    // another dispatch starts the job, which runs to its end and hands its slot on to an empty queue. The late
    // dispatch then takes the ended job's slot. The second job is created in that window and finds the deployment
    // full; it looks for slots of ended jobs only after the late dispatch has freed that slot again.
    const late = { atAcquire: gate(), mayAcquire: gate(), acquired: gate() };
    const secondFoundFull = gate();
    const caller = new AsyncLocalStorage<'late' | 'second'>();
    let phase: 'created' | 'acquiring' | 'held' = 'created';
    let secondFull = false;
    let creatingFirst: Promise<JobRecord> | undefined;
    const { deps, workflow } = queueDeps({
      before: async (call) => {
        if (caller.getStore() === 'late' && call === 'acquireSlot' && phase === 'created') {
          late.atAcquire.open();
          await late.mayAcquire.opened;
          phase = 'acquiring';
        } else if (caller.getStore() === 'second' && call === 'slotHolders' && secondFull) {
          await creatingFirst;
        }
      },
      after: async (call, _args, result) => {
        if (caller.getStore() === 'late' && call === 'acquireSlot' && phase === 'acquiring') {
          phase = 'held';
          expect(result, 'the late dispatch takes the slot of the ended job').toBe(true);
          late.acquired.open();
          await secondFoundFull.opened;
        } else if (caller.getStore() === 'second' && !secondFull) {
          // Full as an acquire answers it, or as the slot holders tell it before the queue is read.
          secondFull =
            (call === 'acquireSlot' && result === false) ||
            (call === 'slotHolders' && Array.isArray(result) && result.length > 0);
          if (secondFull) secondFoundFull.open();
        }
      },
    });
    const deploymentId = await newDeployment(deps);

    creatingFirst = caller.run('late', () => createJob(deps, OWNER, fromDataset(deploymentId)));
    await late.atAcquire.opened;
    // Another dispatch of the deployment (a job ending, a sweep) overtakes it and starts the first job.
    const [firstId] = await dispatchQueued(deps, deploymentId);
    await workflow.idle();
    expect((await deps.jobs.getById(String(firstId)))?.status).toBe('COMPLETED');
    late.mayAcquire.open();
    await late.acquired.opened;
    const second = await caller.run('second', () => createJob(deps, OWNER, fromDataset(deploymentId)));
    const first = await creatingFirst;
    await workflow.idle();

    expect(secondFull).toBe(true);
    expect(workflow.started).toEqual([first.id, second.id]);
    const ended = await expectDrained(deps, deploymentId, [first, second]);
    expect(ended.map((job) => job?.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });

  it.each([
    { limit: 1, seed: 1 },
    { limit: 2, seed: 3 },
  ])(
    'ends every job of a burst of dataset and localFile jobs, queue calls delayed at random (limit $limit)',
    async ({ limit, seed }) => {
      const rng = createRng(seed);
      // Jitter everywhere, and now and then a dispatch stalls at a slot long enough for a quick job to end
      // meanwhile: the overtaking that the test above stages, here at random.
      const delay = async (call: QueueCall) => {
        const ms = call === 'acquireSlot' && rng.int(4) === 0 ? 100 + rng.int(400) : rng.int(4);
        await new Promise((resolve) => setTimeout(resolve, ms));
      };
      const { deps, workflow } = queueDeps({ before: delay, after: delay }, limit);
      const deploymentId = await newDeployment(deps);
      const kinds = ['dataset', 'localFile', 'bad', 'dataset', 'bad', 'localFile', 'dataset', 'bad'] as const;

      const jobs = await Promise.all(
        kinds.map(async (kind) => {
          await new Promise((resolve) => setTimeout(resolve, rng.int(1500)));
          if (kind === 'localFile') {
            const job = await createJob(deps, OWNER, { deploymentId });
            await uploadInput(deps, job.id, CSV);
            return job;
          }
          return createJob(deps, OWNER, fromDataset(deploymentId, kind === 'bad' ? badDatasetId : datasetId));
        }),
      );
      await workflow.idle();

      const ended = await expectDrained(deps, deploymentId, jobs);
      expect(ended.map((job) => job?.status)).toEqual(
        kinds.map((kind) => (kind === 'bad' ? 'ABORTED' : 'COMPLETED')),
      );
      expect([...workflow.started].sort()).toEqual(jobs.map((job) => job.id).sort());
      expect(workflow.peakActive.get(deploymentId)).toBeLessThanOrEqual(limit);
    },
  );
});
