import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../shared/domain/errors.js';
import { JobAbortedError, openDownload } from '../../../../shared/use-cases/jobs/download-output.js';
import { failJob } from '../../../../shared/use-cases/jobs/fail-job.js';
import { finalizeJob } from '../../../../shared/use-cases/jobs/finalize-job.js';
import {
  inputPartKey,
  outputHeaderKey,
  outputKey,
  partsPrefix,
} from '../../../../shared/use-cases/jobs/job-keys.js';
import { prepareJob } from '../../../../shared/use-cases/jobs/prepare-job.js';
import { scoreChunkStep } from '../../../../shared/use-cases/jobs/score-chunk-step.js';
import { messyCsv, OWNER, useJobHarness } from './harness.js';

const h = useJobHarness(300);
const POLL_MS = 10;

async function drain(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** A job prepared by hand (RUNNING, nothing scored yet); returns its chunk count. */
async function preparedJob(rows: number, seed: number) {
  const input = messyCsv(rows, seed);
  const job = await h.createJob({ passthroughColumns: ['id'] });
  await h.upload(job.id, [input], 'manual');
  const prepared = await prepareJob(h.manual, job.id, h.models);
  if (!prepared) throw new Error('prepare did not run');
  return { job, input, chunksTotal: prepared.chunksTotal };
}

describe('abort while running', () => {
  it('stops the run before its next chunk and leaves no parts, output or plan, but keeps the input', async () => {
    const job = await h.createJob();
    await h.upload(job.id, [messyCsv(1500, 5)]);
    const running = await h.waitFor(job.id, (j) => j.chunksDone >= 3);

    const abortedAt = Date.now();
    // What the lead's abort use case does: first terminal state wins, then the run is told to stop.
    expect(await failJob(h.deps, job.id, 'Job aborted by the user')).toBe(true);
    await h.workflow.stop(job.id);
    await h.workflow.idle();
    const stoppedAfterMs = Date.now() - abortedAt;

    const done = await h.job(job.id);
    expect(done.status).toBe('ABORTED');
    expect(done.statusDetails).toBe('Job aborted by the user');
    expect(done.chunksDone).toBeLessThan(running.chunksTotal);
    // At most the chunk in flight at the abort finished after it (and was not counted).
    expect(stoppedAfterMs).toBeLessThan(2_000);
    expect(await h.deps.objects.list(partsPrefix(job.id))).toEqual([]);
    expect(await h.deps.objects.head(outputKey(job.id))).toBeNull();
    expect(await h.deps.objects.head(outputHeaderKey(job.id))).toBeNull();
    expect(await h.deps.objects.head(inputPartKey(job.id, 0))).not.toBeNull();
  });

  it('lets the first terminal state win: failing a completed job changes nothing and keeps its output', async () => {
    const job = await h.createJob();
    await h.upload(job.id, [messyCsv(20, 6)]);
    await h.waitFor(job.id, (j) => j.status === 'COMPLETED');
    await h.workflow.idle();

    expect(await failJob(h.deps, job.id, 'too late')).toBe(false);
    expect((await h.job(job.id)).status).toBe('COMPLETED');
    expect(await h.deps.objects.head(outputKey(job.id))).not.toBeNull();
  });

  it('removes a part that a chunk finishing after the abort writes', async () => {
    const { job } = await preparedJob(40, 8);
    await failJob(h.manual, job.id, 'aborted');
    expect(await scoreChunkStep(h.manual, job.id, 0, h.models)).toBe('stopped');
    expect(await h.manual.objects.list(partsPrefix(job.id))).toEqual([]);
  });
});

describe('download', () => {
  it('started while RUNNING, follows the chunks in order and ends after the last row', async () => {
    const { job, input, chunksTotal } = await preparedJob(200, 12);
    expect(chunksTotal).toBeGreaterThan(5);
    const stream = await openDownload(h.manual, OWNER, job.id, { pollMs: POLL_MS });
    if (!stream) throw new Error('no download for a RUNNING job');
    let ended = false;
    const downloaded = drain(stream).finally(() => {
      ended = true;
    });

    for (let i = 0; i < chunksTotal; i++) {
      await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));
      expect(ended).toBe(false);
      await scoreChunkStep(h.manual, job.id, i, h.models);
    }
    const bytes = await downloaded;
    expect(bytes.equals(await h.expectedOutput(job, input))).toBe(true);
    expect(await finalizeJob(h.manual, job.id)).toBe(true);
  });

  it('switches to the assembled output when the job completes mid-stream', async () => {
    const { job, input, chunksTotal } = await preparedJob(120, 13);
    for (let i = 0; i < chunksTotal; i++) await scoreChunkStep(h.manual, job.id, i, h.models);
    const stream = await openDownload(h.manual, OWNER, job.id, { pollMs: POLL_MS });
    if (!stream) throw new Error('no download for a RUNNING job');
    const reader = stream[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(first.done).toBe(false);

    expect(await finalizeJob(h.manual, job.id)).toBe(true);
    expect(await h.manual.objects.list(partsPrefix(job.id))).toEqual([]);
    const rest: Buffer[] = [];
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest.push(next.value);
    const bytes = Buffer.concat([first.value as Buffer, ...rest]);
    expect(bytes.equals(await h.expectedOutput(job, input))).toBe(true);
  });

  it('of a COMPLETED job streams the output', async () => {
    const input = messyCsv(50, 14);
    const job = await h.createJob();
    await h.upload(job.id, [input]);
    await h.waitFor(job.id, (j) => j.status === 'COMPLETED');
    const stream = await openDownload(h.deps, OWNER, job.id, { pollMs: POLL_MS });
    if (!stream) throw new Error('no download for a COMPLETED job');
    expect((await drain(stream)).equals(await h.expectedOutput(job, input))).toBe(true);
  });

  it('throws when the job is aborted mid-stream, after what was already sent', async () => {
    const { job, chunksTotal } = await preparedJob(150, 15);
    await scoreChunkStep(h.manual, job.id, 0, h.models);
    const stream = await openDownload(h.manual, OWNER, job.id, { pollMs: POLL_MS });
    if (!stream) throw new Error('no download for a RUNNING job');
    const received: Buffer[] = [];
    const failure = (async () => {
      for await (const piece of stream) received.push(piece);
    })().then(
      () => null,
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 5 * POLL_MS));
    await failJob(h.manual, job.id, 'Job aborted by the user');

    const error = await failure;
    expect(error).toBeInstanceOf(JobAbortedError);
    expect((error as Error).message).toBe(`Job ${job.id} was aborted: Job aborted by the user`);
    expect(received.length).toBeGreaterThan(0);
    expect(chunksTotal).toBeGreaterThan(1);
  });

  it('of an already aborted job throws JobAbortedError', async () => {
    const { job } = await preparedJob(10, 16);
    await failJob(h.manual, job.id, 'bad data');
    await expect(openDownload(h.manual, OWNER, job.id, { pollMs: POLL_MS })).rejects.toThrow(
      `Job ${job.id} was aborted: bad data`,
    );
  });

  it("is null for another owner's job and for a job still waiting for input", async () => {
    const { job } = await preparedJob(10, 17);
    expect(await openDownload(h.manual, 'someone-else', job.id, { pollMs: POLL_MS })).toBeNull();
    const waiting = await h.createJob();
    expect(await openDownload(h.manual, OWNER, waiting.id, { pollMs: POLL_MS })).toBeNull();
  });

  it('refuses a job whose output does not go to a local file', async () => {
    const job = await h.createJob({ outputSettings: { type: 's3', url: 's3://bucket/out.csv' } });
    const opening = openDownload(h.manual, OWNER, job.id, { pollMs: POLL_MS });
    await expect(opening).rejects.toBeInstanceOf(ValidationError);
    await expect(opening).rejects.toThrow('outputSettings.type: the job writes its output to s3');
  });
});
