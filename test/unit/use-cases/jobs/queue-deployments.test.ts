import { describe, expect, it } from 'vitest';
import { queuePositions } from '../../../../shared/use-cases/jobs/queue-positions.js';
import { messyCsv, useJobHarness } from './harness.js';
import { createJobOn, newDeployment, queueDeps, StepWorkflow, uploadInput } from './queue-harness.js';

const h = useJobHarness(1500);

const ended = (job: { status: string }) => job.status === 'COMPLETED' || job.status === 'ABORTED';
const scored = (job: { status: string; chunksDone: number; chunksTotal: number }) =>
  job.status === 'RUNNING' && job.chunksDone === job.chunksTotal;

describe('per-deployment queues', () => {
  it('lets a job of another deployment run while the first deployment is busy', async () => {
    const workflow = new StepWorkflow(h.models);
    const deps = workflow.attach(queueDeps(h, workflow));
    const [busy, other] = [newDeployment(), newDeployment()];
    const running = await createJobOn(h, busy);
    const queuedBehind = await createJobOn(h, busy);
    const elsewhere = await createJobOn(h, other);
    workflow.hold(running.id);

    await uploadInput(deps, running.id, messyCsv(60, 1));
    await uploadInput(deps, queuedBehind.id, messyCsv(60, 2));
    await uploadInput(deps, elsewhere.id, messyCsv(60, 3));

    expect((await h.waitFor(elsewhere.id, ended)).status).toBe('COMPLETED');
    expect((await h.job(running.id)).status).toBe('RUNNING');
    expect((await h.job(queuedBehind.id)).status).toBe('INITIALIZING');
    workflow.release(running.id);
    expect((await h.waitFor(queuedBehind.id, ended)).status).toBe('COMPLETED');
    await workflow.idle();
    expect(workflow.started).toEqual([running.id, elsewhere.id, queuedBehind.id]);
  });
});

describe('per-deployment queue, limit 2', () => {
  it('runs two jobs at once and starts the third when one of them ends', async () => {
    const workflow = new StepWorkflow(h.models);
    const deps = workflow.attach(queueDeps(h, workflow, { limit: 2 }));
    const deploymentId = newDeployment();
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await createJobOn(h, deploymentId));
    const [a, b, c] = jobs.map((job) => job.id) as [string, string, string];
    workflow.hold(a);
    workflow.hold(b);

    for (const [i, job] of jobs.entries()) await uploadInput(deps, job.id, messyCsv(80, i + 4));
    await h.waitFor(a, scored);
    await h.waitFor(b, scored);

    const third = await h.job(c);
    expect(third.status).toBe('INITIALIZING');
    expect((await queuePositions(deps, [third])).get(c)).toBe(0);
    expect(workflow.started).toEqual([a, b]);
    expect((await deps.jobs.slotHolders(deploymentId)).sort()).toEqual([a, b].sort());

    workflow.release(b);
    expect((await h.waitFor(c, ended)).status).toBe('COMPLETED');
    expect((await h.job(a)).status).toBe('RUNNING');
    workflow.release(a);
    expect((await h.waitFor(a, ended)).status).toBe('COMPLETED');
    await workflow.idle();

    expect(workflow.started).toEqual([a, b, c]);
    expect(workflow.peakActive.get(deploymentId)).toBe(2);
    expect(await deps.jobs.slotHolders(deploymentId)).toEqual([]);
  });
});
