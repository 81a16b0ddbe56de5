import { describe, expect, it } from 'vitest';
import { startRuntimeLimitSweeper } from '../../../../local/runtime-limit-sweeper.js';
import { enforceRuntimeLimit } from '../../../../shared/use-cases/jobs/enforce-runtime-limit.js';
import { messyCsv, useJobHarness } from './harness.js';
import { createJobOn, newDeployment, queueDeps, StepWorkflow, uploadInput } from './queue-harness.js';

const h = useJobHarness(1500);
const HOUR = 3_600_000;

const ended = (job: { status: string }) => job.status === 'COMPLETED' || job.status === 'ABORTED';
const scored = (job: { status: string; chunksDone: number; chunksTotal: number }) =>
  job.status === 'RUNNING' && job.chunksDone === job.chunksTotal;

describe('job runtime limit', () => {
  it('aborts a job running past the limit, stops it, frees its slot and starts the next queued job', async () => {
    let offset = 0;
    const workflow = new StepWorkflow(h.models);
    const deps = workflow.attach(queueDeps(h, workflow, { clockOffsetMs: () => offset }));
    const deploymentId = newDeployment();
    const slow = await createJobOn(h, deploymentId);
    const next = await createJobOn(h, deploymentId);
    workflow.hold(slow.id);
    await uploadInput(deps, slow.id, messyCsv(60, 1));
    await uploadInput(deps, next.id, messyCsv(60, 2));
    await h.waitFor(slow.id, scored);

    offset = 4 * HOUR - 60_000;
    expect((await enforceRuntimeLimit(deps)).timedOut).toEqual([]);
    expect((await h.job(slow.id)).status).toBe('RUNNING');

    offset = 4 * HOUR + 60_000;
    const report = await enforceRuntimeLimit(deps);

    expect(report.timedOut).toEqual([slow.id]);
    const aborted = await h.job(slow.id);
    expect(aborted.status).toBe('ABORTED');
    expect(aborted.statusDetails).toBe('Job exceeded the runtime limit of 4 hours');
    expect(workflow.stopped).toEqual([slow.id]);
    expect((await h.waitFor(next.id, ended)).status).toBe('COMPLETED');
    workflow.release(slow.id);
    await workflow.idle();
    expect((await h.job(slow.id)).status).toBe('ABORTED');
    expect(await deps.jobs.slotHolders(deploymentId)).toEqual([]);
  });

  it('takes the limit from the configuration, and the local timer applies it every interval', async () => {
    let offset = 0;
    const workflow = new StepWorkflow(h.models);
    const deps = workflow.attach(
      queueDeps(h, workflow, { runtimeLimitHours: 1, clockOffsetMs: () => offset }),
    );
    const job = await createJobOn(h, newDeployment());
    workflow.hold(job.id);
    await uploadInput(deps, job.id, messyCsv(40, 3));
    await h.waitFor(job.id, scored);
    offset = HOUR + 1000;

    const errors: unknown[] = [];
    const stop = startRuntimeLimitSweeper(deps, (error) => errors.push(error), 20);
    const aborted = await h.waitFor(job.id, ended);
    await stop();

    expect(aborted.statusDetails).toBe('Job exceeded the runtime limit of 1 hour');
    expect(errors).toEqual([]);
    workflow.release(job.id);
    await workflow.idle();
  });
});
