import { describe, expect, it } from 'vitest';
import { abortJob } from '../../../../shared/use-cases/jobs/abort-job.js';
import { enforceRuntimeLimit } from '../../../../shared/use-cases/jobs/enforce-runtime-limit.js';
import { failJob } from '../../../../shared/use-cases/jobs/fail-job.js';
import { completeInput, putInputPart } from '../../../../shared/use-cases/jobs/input-upload.js';
import { queuePositions } from '../../../../shared/use-cases/jobs/queue-positions.js';
import { OWNER, useJobHarness } from './harness.js';
import { createJobOn, newDeployment, queueDeps, RecordingWorkflow, uploadInput } from './queue-harness.js';

const h = useJobHarness(1 << 20);
const CSV = 'a,b\n1,2\n';

async function jobsOn(deploymentId: string, count: number) {
  const jobs = [];
  for (let i = 0; i < count; i++) jobs.push(await createJobOn(h, deploymentId));
  return jobs;
}

/** Each job's queue position (null: not waiting for a slot), read as the status document would. */
async function positionsOf(deps: Parameters<typeof queuePositions>[0], ids: readonly string[]) {
  const jobs = await Promise.all(ids.map((id) => h.job(id)));
  const positions = await queuePositions(deps, jobs);
  return ids.map((id) => positions.get(id) ?? null);
}

describe('queueing under concurrency and crashes', () => {
  it('never over-allocates when many inputs complete at once, and hands slots on in creation order', async () => {
    const workflow = new RecordingWorkflow();
    const deps = queueDeps(h, workflow, { limit: 2 });
    const deploymentId = newDeployment();
    const jobs = await jobsOn(deploymentId, 8);
    for (const job of jobs) await putInputPart(deps, job.id, 0, Buffer.from(CSV));

    await Promise.all(jobs.map((job) => completeInput(deps, job.id)));

    expect(workflow.started).toHaveLength(2);
    expect(new Set(workflow.started).size).toBe(2);
    expect((await deps.jobs.slotHolders(deploymentId)).sort()).toEqual([...workflow.started].sort());
    const waiting = jobs.map((job) => job.id).filter((id) => !workflow.started.includes(id));
    expect(await positionsOf(deps, waiting)).toEqual([0, 1, 2, 3, 4, 5]);

    for (const id of [...workflow.started]) await failJob(deps, id, 'ended');
    expect(workflow.started.slice(2)).toEqual(waiting.slice(0, 2));
    expect(await positionsOf(deps, waiting.slice(2))).toEqual([0, 1, 2, 3]);
  });

  it('takes an aborted queued job out of the queue, moves the others up and never starts it', async () => {
    const workflow = new RecordingWorkflow();
    const deps = queueDeps(h, workflow);
    const deploymentId = newDeployment();
    const [running, aborted, second, third] = (await jobsOn(deploymentId, 4)).map((job) => job.id) as [
      string,
      string,
      string,
      string,
    ];
    for (const id of [running, aborted, second, third]) await uploadInput(deps, id, CSV);
    expect(await positionsOf(deps, [running, aborted, second, third])).toEqual([null, 0, 1, 2]);

    await abortJob(deps, OWNER, aborted);

    expect((await h.job(aborted)).status).toBe('ABORTED');
    expect(await positionsOf(deps, [aborted, second, third])).toEqual([null, 0, 1]);
    expect((await deps.jobs.listQueued(deploymentId)).map((entry) => entry.jobId)).toEqual([second, third]);
    await failJob(deps, running, 'ended');
    expect(workflow.started).toEqual([running, second]);
  });

  it('frees a slot its ended job kept (a crash before the release) at the next dispatch', async () => {
    const workflow = new RecordingWorkflow();
    const deps = queueDeps(h, workflow);
    const deploymentId = newDeployment();
    const [crashed, next] = (await jobsOn(deploymentId, 2)).map((job) => job.id) as [string, string];
    await uploadInput(deps, crashed, CSV);
    // The job ends without failJob, so nothing releases its slot.
    await deps.jobs.transition(crashed, ['INITIALIZING'], 'ABORTED', { statusDetails: 'crashed' });

    await uploadInput(deps, next, CSV);

    expect(workflow.started).toEqual([crashed, next]);
    expect(await deps.jobs.slotHolders(deploymentId)).toEqual([next]);
  });

  it('lets the sweep start a queued job whose dispatch crashed, and restart one stranded with a slot', async () => {
    const workflow = new RecordingWorkflow();
    const deps = queueDeps(h, workflow);
    const [first, second] = [newDeployment(), newDeployment()];
    const [queued] = await jobsOn(first, 1);
    const [stranded] = await jobsOn(second, 1);
    if (!queued || !stranded) throw new Error('jobs were created');
    // Crash after the input was marked complete, before any dispatch.
    await deps.jobs.enqueue(queued);
    await deps.jobs.markInputComplete(queued.id, 8);
    // Crash after the job took its slot and left the queue, before its workflow started.
    await deps.jobs.markInputComplete(stranded.id, 8);
    await deps.jobs.acquireSlot(second, stranded.id, 1);

    const report = await enforceRuntimeLimit(deps);

    // The sweep covers every deployment, including those of earlier tests in this file.
    expect(report.started).toContain(queued.id);
    expect(report.restarted).toContain(stranded.id);
    expect(workflow.started.filter((id) => id === queued.id || id === stranded.id).sort()).toEqual(
      [queued.id, stranded.id].sort(),
    );
    expect(await deps.jobs.slotHolders(first)).toEqual([queued.id]);
  });
});
