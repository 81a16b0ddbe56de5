import { describe, expect, it } from 'vitest';
import { run as fail, failureReason } from '../../../functions/step-fail.js';
import { run as finalize } from '../../../functions/step-finalize.js';
import { StepEventError } from '../../../functions/step-handler.js';
import { run as prepare } from '../../../functions/step-prepare.js';
import { run as scoreChunk } from '../../../functions/step-score-chunk.js';
import { chooseWorker, LAMBDA_WORKER_LIMITS } from '../../../shared/use-cases/jobs/choose-worker.js';
import { chunkItems } from '../../../shared/use-cases/jobs/chunk-items.js';
import { chunkItemsKey, outputKey, partsPrefix } from '../../../shared/use-cases/jobs/job-keys.js';
import { readObject } from '../../../shared/use-cases/jobs/object-bytes.js';
import { RUNTIME_LIMIT_ERROR, runtimeLimitReason } from '../../../shared/use-cases/jobs/runtime-limit.js';
import { messyCsv, useJobHarness } from '../use-cases/jobs/harness.js';

const h = useJobHarness(400);
const MiB = 1024 * 1024;

/** A job whose input is complete and whose start was only recorded, as when its execution starts on AWS. */
async function uploadedJob(input: string) {
  const job = await h.createJob({ passthroughColumns: ['id'] });
  await h.upload(job.id, [input], 'manual');
  return job;
}

describe('step cores, run as the state machine runs them', () => {
  it('prepares, scores the Map items in any order and finalizes into the one-pass output', async () => {
    const input = messyCsv(150, 41);
    const job = await uploadedJob(input);

    const prepared = await prepare(h.manual, { jobId: job.id, numConcurrent: 3 }, h.models);
    expect(prepared).toEqual({
      jobId: job.id,
      numConcurrent: 3,
      chunksTotal: expect.any(Number),
      itemsKey: `jobs/${job.id}/chunk-items.json`,
      aborted: false,
    });
    expect(prepared.chunksTotal).toBeGreaterThan(3);
    const items = JSON.parse((await readObject(h.manual.objects, prepared.itemsKey)).toString('utf8'));
    expect(items).toEqual(
      Array.from({ length: prepared.chunksTotal }, (_, index) => ({
        jobId: job.id,
        index,
        worker: 'lambda',
      })),
    );

    // The Map gives no order: score from the last chunk to the first, two at a time.
    const reversed = [...items].reverse();
    for (let i = 0; i < reversed.length; i += 2) {
      const outcomes = await Promise.all(
        reversed.slice(i, i + 2).map((item) => scoreChunk(h.manual, item, h.models)),
      );
      expect(outcomes.map((o) => o.outcome)).toEqual(outcomes.map(() => 'scored'));
    }
    expect((await scoreChunk(h.manual, items[1], h.models)).outcome).toBe('duplicate');

    expect(await finalize(h.manual, { jobId: job.id })).toEqual({ jobId: job.id, completed: true });
    const done = await h.job(job.id);
    expect(done).toMatchObject({ status: 'COMPLETED', scoredRows: 150, chunksDone: prepared.chunksTotal });
    expect(
      (await readObject(h.manual.objects, outputKey(job.id))).equals(await h.expectedOutput(job, input)),
    ).toBe(true);
  });

  it('carries on a job that an earlier attempt of PrepareJob prepared (a retry after a lost answer)', async () => {
    const job = await uploadedJob(messyCsv(40, 42));
    const first = await prepare(h.manual, { jobId: job.id, numConcurrent: 1 }, h.models);
    const again = await prepare(h.manual, { jobId: job.id, numConcurrent: 1 }, h.models);

    expect(again).toEqual(first);
    expect(again.aborted).toBe(false);
    expect((await h.job(job.id)).logs.filter((line) => line.includes('Planned'))).toHaveLength(1);
  });

  it('says aborted when the input cannot be scored, and the job is ABORTED saying why', async () => {
    const job = await uploadedJob('id,note,a,b\n');
    const prepared = await prepare(h.manual, { jobId: job.id, numConcurrent: 2 }, h.models);

    expect(prepared).toMatchObject({ aborted: true, chunksTotal: 0 });
    expect(await h.job(job.id)).toMatchObject({
      status: 'ABORTED',
      statusDetails: 'the input has a header row but no data rows',
    });
  });

  it('FailJob ends a running job with the failed step message and removes its parts; once', async () => {
    const job = await uploadedJob(messyCsv(60, 43));
    await prepare(h.manual, { jobId: job.id, numConcurrent: 1 }, h.models);
    await scoreChunk(h.manual, { jobId: job.id, index: 0, worker: 'lambda' }, h.models);
    const error = {
      Error: 'Error',
      Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'Rate exceeded', trace: ['at x'] }),
    };

    expect(await fail(h.manual, { jobId: job.id, error })).toEqual({ jobId: job.id, aborted: true });
    expect(await fail(h.manual, { jobId: job.id, error })).toEqual({ jobId: job.id, aborted: false });
    expect(await h.job(job.id)).toMatchObject({
      status: 'ABORTED',
      statusDetails: 'The job could not be completed: Rate exceeded',
    });
    expect(await h.manual.objects.list(partsPrefix(job.id))).toEqual([]);
  });

  it('refuses events outside the contract, naming the step and the field', async () => {
    await expect(prepare(h.manual, { jobId: 'nope', numConcurrent: 1 })).rejects.toThrow(
      new StepEventError(
        'PrepareJob got a malformed event: jobId: Invalid string: must match pattern /^[0-9a-f]{24}$/',
      ),
    );
    await expect(scoreChunk(h.manual, { jobId: 'a'.repeat(24), index: -1 })).rejects.toThrow(
      /^ScoreChunk got a malformed event: index: /,
    );
    await expect(finalize(h.manual, null)).rejects.toBeInstanceOf(StepEventError);
  });
});

describe('failureReason', () => {
  it('takes the message of a failed Lambda step', () => {
    const Cause = JSON.stringify({ errorType: 'ModelError', errorMessage: 'model gone', trace: [] });
    expect(failureReason({ Error: 'ModelError', Cause })).toBe('The job could not be completed: model gone');
  });

  it('says why a Fargate worker stopped, with its exit code', () => {
    const Cause = JSON.stringify({
      StoppedReason: 'Essential container in task exited',
      Containers: [{ ExitCode: 1, Name: 'worker' }],
    });
    expect(failureReason({ Error: 'States.TaskFailed', Cause })).toBe(
      'The job could not be completed: its Fargate chunk worker stopped: Essential container in task exited (exit code 1)',
    );
  });

  it("uses the runtime limit rule's words as they are, and names timeouts and bare errors", () => {
    expect(failureReason({ Error: RUNTIME_LIMIT_ERROR, Cause: runtimeLimitReason(4) })).toBe(
      'Job exceeded the runtime limit of 4 hours',
    );
    expect(failureReason({ Error: 'States.Timeout' })).toBe(
      'The job could not be completed: a step ran past its time limit',
    );
    expect(failureReason({ Error: 'States.ItemReaderFailed', Cause: 'no such key' })).toBe(
      'The job could not be completed: no such key',
    );
    expect(failureReason({ Error: 'Lambda.Unknown' })).toBe('The job could not be completed: Lambda.Unknown');
    expect(failureReason(undefined)).toBe('The job could not be completed');
  });
});

describe('chunk items and the worker choice', () => {
  it('keeps typical chunks on Lambda and sends what would not fit its memory or time to Fargate', () => {
    expect(chooseWorker({ modelBytes: 5 * MiB, chunkBytes: 16 * MiB })).toBe('lambda');
    expect(chooseWorker({ modelBytes: 100 * MiB, chunkBytes: 40 * MiB })).toBe('lambda');
    // 350 + 4 x 600 MB is beyond 80% of 3008 MB.
    expect(chooseWorker({ modelBytes: 600 * MiB, chunkBytes: 1 * MiB })).toBe('fargate');
    // 400 MB at the 0.5 MiB/s floor is 800 s, beyond two thirds of 900 s.
    expect(chooseWorker({ modelBytes: 1 * MiB, chunkBytes: 400 * MiB })).toBe('fargate');
    expect(
      chooseWorker({ modelBytes: 1 * MiB, chunkBytes: 400 * MiB }, { memoryMb: 10240, timeoutSeconds: 3600 }),
    ).toBe('lambda');
    expect(LAMBDA_WORKER_LIMITS).toEqual({ memoryMb: 3008, timeoutSeconds: 900 });
  });

  it('chooses per chunk, from the chunk byte range and the model size', () => {
    const chunks = [
      { index: 0, part: 0, start: 10, end: 10 + MiB },
      { index: 1, part: 0, start: 10 + MiB, end: 10 + 400 * MiB },
    ];
    expect(chunkItems('j', chunks, 2 * MiB)).toEqual([
      { jobId: 'j', index: 0, worker: 'lambda' },
      { jobId: 'j', index: 1, worker: 'fargate' },
    ]);
    expect(chunkItemsKey('j')).toBe('jobs/j/chunk-items.json');
  });
});
