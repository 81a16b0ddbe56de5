import { describe, expect, it } from 'vitest';
import { isTerminal } from '../../../../shared/domain/job.js';
import { batchPredictionStatus } from '../../../../shared/http/presenters/batch-prediction-status.js';
import { outputKey, partsPrefix } from '../../../../shared/use-cases/jobs/job-keys.js';
import { readObject } from '../../../../shared/use-cases/jobs/object-bytes.js';
import { queuePositions } from '../../../../shared/use-cases/jobs/queue-positions.js';
import { messyCsv, useJobHarness } from './harness.js';
import { createJobOn, newDeployment, queueDeps, StepWorkflow, uploadInput } from './queue-harness.js';

const h = useJobHarness(1500);

describe('per-deployment queue, limit 1', () => {
  it('runs a queue of 5 jobs in creation order; one crashing mid-run leaks no slot', async () => {
    const workflow = new StepWorkflow(h.models);
    const deps = workflow.attach(queueDeps(h, workflow));
    const deploymentId = newDeployment();
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await createJobOn(h, deploymentId));
    const inputs = jobs.map((_, i) => messyCsv(120 + i * 10, i + 1));
    const [first, , crashing] = jobs.map((job) => job.id) as [string, string, string];
    workflow.hold(first);
    workflow.crashMidRun(crashing);

    for (const [i, job] of jobs.entries()) await uploadInput(deps, job.id, inputs[i] as string);

    expect(workflow.started).toEqual([first]);
    const waiting = await Promise.all(jobs.map((job) => h.job(job.id)));
    const positions = await queuePositions(deps, waiting);
    expect(jobs.map((job) => positions.get(job.id) ?? null)).toEqual([null, 0, 1, 2, 3]);
    const fourth = batchPredictionStatus(waiting[3] as (typeof waiting)[number], {
      baseUrl: 'http://x/api/v2',
      uploadUrl: null,
      now: new Date(),
      queuePosition: positions.get(jobs[3]?.id ?? ''),
    });
    expect(fourth).toMatchObject({
      status: 'INITIALIZING',
      queuePosition: 2,
      statusDetails: `Waiting for a free slot on deployment ${deploymentId} (position 2)`,
    });

    workflow.release(first);
    for (const job of jobs) await h.waitFor(job.id, (j) => isTerminal(j.status));
    await workflow.idle();

    expect(workflow.started).toEqual(jobs.map((job) => job.id));
    expect(workflow.peakActive.get(deploymentId)).toBe(1);
    const ended = await Promise.all(jobs.map((job) => h.job(job.id)));
    expect(ended.map((job) => job.status)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'ABORTED',
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(ended[2]?.statusDetails).toBe('The job could not be completed: the chunk worker crashed');
    expect(ended[2]?.chunksTotal).toBeGreaterThan(1);
    for (const [i, job] of ended.entries()) {
      if (job.status !== 'COMPLETED') continue;
      const output = await readObject(deps.objects, outputKey(job.id));
      expect(output.equals(await h.expectedOutput(job, inputs[i] as string))).toBe(true);
      expect(job.scoredRows).toBe(120 + i * 10);
    }
    expect(await deps.objects.list(partsPrefix(crashing))).toEqual([]);
    expect(await deps.objects.head(outputKey(crashing))).toBeNull();
    expect(await deps.jobs.slotHolders(deploymentId)).toEqual([]);
    expect(await deps.jobs.listQueued(deploymentId)).toEqual([]);
  });
});
