import { describe, expect, it } from 'vitest';
import { type JobRunnerEvent, runJobInvocation, timeBudget } from '../../../functions/job-runner.js';
import { failJob } from '../../../shared/use-cases/jobs/fail-job.js';
import { outputKey, partsPrefix } from '../../../shared/use-cases/jobs/job-keys.js';
import { readObject } from '../../../shared/use-cases/jobs/object-bytes.js';
import { messyCsv, useJobHarness } from '../use-cases/jobs/harness.js';

const h = useJobHarness(400);
const FIFTEEN_MINUTES = 15 * 60_000;

/** Options of one invocation: a fixed time left (or a sequence of readings) and recorded hand-overs. */
function invocation(timeLeft: number | number[] = FIFTEEN_MINUTES) {
  const handedOver: JobRunnerEvent[] = [];
  const readings = Array.isArray(timeLeft) ? [...timeLeft] : null;
  return {
    handedOver,
    options: {
      models: h.models,
      timeLeftMs: () =>
        readings
          ? readings.length > 1
            ? (readings.shift() as number)
            : (readings[0] as number)
          : (timeLeft as number),
      continueLater: async (event: JobRunnerEvent) => {
        handedOver.push(event);
      },
    },
  };
}

/** A job whose input is complete and whose start was only recorded, as after completeInput on AWS. */
async function uploadedJob(rows: number, seed: number) {
  const input = messyCsv(rows, seed);
  const job = await h.createJob({ passthroughColumns: ['id'] });
  await h.upload(job.id, [input], 'manual');
  return { job, input };
}

describe('job runner (runJobInvocation)', () => {
  it('runs a small job from prepare to COMPLETED within one invocation', async () => {
    const { job, input } = await uploadedJob(120, 31);
    const { options, handedOver } = invocation();
    expect(await runJobInvocation({ jobId: job.id }, h.manual, options)).toEqual({ kind: 'ended' });

    const done = await h.job(job.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.chunksTotal).toBeGreaterThan(3);
    expect(done.scoredRows).toBe(120);
    expect(handedOver).toEqual([]);
    expect(
      (await readObject(h.manual.objects, outputKey(job.id))).equals(await h.expectedOutput(job, input)),
    ).toBe(true);
  });

  it('hands a job over to a new invocation when time runs short, which finishes it with the same output', async () => {
    const { job, input } = await uploadedJob(120, 32);
    // Two chunks with plenty of time, then less than the reserve.
    const first = invocation([FIFTEEN_MINUTES, FIFTEEN_MINUTES - 1_000, 30_000]);
    expect(await runJobInvocation({ jobId: job.id }, h.manual, first.options)).toEqual({
      kind: 'paused',
      nextChunk: 2,
    });
    expect(first.handedOver).toEqual([{ jobId: job.id, resumeFrom: 2 }]);
    expect(await h.job(job.id)).toMatchObject({ status: 'RUNNING', chunksDone: 2 });

    const second = invocation();
    const event = first.handedOver[0] as JobRunnerEvent;
    expect(await runJobInvocation(event, h.manual, second.options)).toEqual({ kind: 'ended' });
    expect(await h.job(job.id)).toMatchObject({ status: 'COMPLETED', scoredRows: 120 });
    expect(
      (await readObject(h.manual.objects, outputKey(job.id))).equals(await h.expectedOutput(job, input)),
    ).toBe(true);
    // The same continuation delivered again is stale and changes nothing.
    const version = (await h.job(job.id)).version;
    expect(await runJobInvocation(event, h.manual, invocation().options)).toEqual({ kind: 'ended' });
    expect((await h.job(job.id)).version).toBe(version);
  });

  it('does not continue a job aborted between invocations', async () => {
    const { job } = await uploadedJob(60, 33);
    const first = invocation(10_000);
    expect(await runJobInvocation({ jobId: job.id }, h.manual, first.options)).toEqual({
      kind: 'paused',
      nextChunk: 0,
    });
    await failJob(h.manual, job.id, 'Job aborted by the user');
    await runJobInvocation(first.handedOver[0], h.manual, invocation().options);

    expect(await h.job(job.id)).toMatchObject({ status: 'ABORTED', chunksDone: 0 });
    expect(await h.manual.objects.list(partsPrefix(job.id))).toEqual([]);
  });

  it('ends the job ABORTED with a readable reason when the hand-over fails', async () => {
    const { job } = await uploadedJob(60, 34);
    const { options } = invocation(10_000);
    const failing = { ...options, continueLater: () => Promise.reject(new Error('Rate exceeded')) };
    await runJobInvocation({ jobId: job.id }, h.manual, failing);

    const done = await h.job(job.id);
    expect(done.status).toBe('ABORTED');
    expect(done.statusDetails).toBe(
      'The job could not be completed: its runner could not continue it (Rate exceeded)',
    );
  });

  it('runs a job once when its start event is delivered twice', async () => {
    const { job } = await uploadedJob(40, 35);
    await runJobInvocation({ jobId: job.id }, h.manual, invocation().options);
    const version = (await h.job(job.id)).version;
    expect(await runJobInvocation({ jobId: job.id }, h.manual, invocation().options)).toEqual({
      kind: 'ended',
    });
    expect((await h.job(job.id)).version).toBe(version);
    expect((await h.job(job.id)).logs.filter((line) => line.includes('Planned'))).toHaveLength(1);
  });

  it('drops an event that is not a job runner event', async () => {
    const { options } = invocation();
    expect(await runJobInvocation({ jobId: 'not-an-id' }, h.manual, options)).toBeNull();
    expect(await runJobInvocation({ detail: {} }, h.manual, options)).toBeNull();
  });
});

describe('timeBudget', () => {
  it('keeps at least a minute for a chunk, and twice the slowest chunk once chunks are slower', () => {
    const readings = [200_000, 190_000, 100_000];
    const pause = timeBudget(() => readings.shift() ?? 0);
    expect(pause({ kind: 'chunk', index: 0 })).toBe(false); // 200 s left; reserve 60 s
    expect(pause({ kind: 'chunk', index: 1 })).toBe(false); // chunk took 10 s; reserve 60 s
    expect(pause({ kind: 'chunk', index: 2 })).toBe(true); // chunk took 90 s; reserve 180 s > 100 s left
  });

  it('keeps 3 minutes for finalize', () => {
    expect(timeBudget(() => 181_000)({ kind: 'finalize' })).toBe(false);
    expect(timeBudget(() => 179_000)({ kind: 'finalize' })).toBe(true);
  });
});
