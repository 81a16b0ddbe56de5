import { describe, expect, it } from 'vitest';
import { readChunkPlan } from '../../../../shared/use-cases/jobs/chunk-plan.js';
import { finalizeJob } from '../../../../shared/use-cases/jobs/finalize-job.js';
import {
  chunkPlanKey,
  inputPartKey,
  outputKey,
  partsPrefix,
} from '../../../../shared/use-cases/jobs/job-keys.js';
import { readObject } from '../../../../shared/use-cases/jobs/object-bytes.js';
import { prepareJob } from '../../../../shared/use-cases/jobs/prepare-job.js';
import { scoreChunkStep } from '../../../../shared/use-cases/jobs/score-chunk-step.js';
import { encoded, messyCsv, useJobHarness } from './harness.js';

const h = useJobHarness(400);

const finished = (job: { status: string }) => job.status === 'COMPLETED' || job.status === 'ABORTED';

/** The job once its run has ended, clean-up included (the status changes before partial output is removed). */
async function settled(jobId: string) {
  await h.waitFor(jobId, finished);
  await h.workflow.idle();
  return h.job(jobId);
}

describe('job pipeline on the emulators: prepare, score chunks, finalize', () => {
  it('assembles many small chunks into exactly the one-pass output, with exact counters', async () => {
    const input = messyCsv(400, 7);
    const job = await h.createJob({ passthroughColumns: ['id', 'note'], includePredictionStatus: true });
    await h.upload(job.id, [input]);
    const done = await settled(job.id);

    expect(done.status).toBe('COMPLETED');
    expect(done.chunksTotal).toBeGreaterThan(20);
    expect(done.chunksDone).toBe(done.chunksTotal);
    expect(done.scoredRows).toBe(400);
    expect(done.failedRows).toBe(0);
    expect(done.jobIntakeSize).toBe(Buffer.byteLength(input));
    const output = await readObject(h.deps.objects, outputKey(job.id));
    expect(output.equals(await h.expectedOutput(job, input))).toBe(true);
    expect(done.jobOutputSize).toBe(output.length);
    expect(done.percentageCompleted).toBe(100);
    expect(await h.deps.objects.list(partsPrefix(job.id))).toEqual([]);
    expect(await h.deps.objects.head(chunkPlanKey(job.id))).toBeNull();
  });

  it('scores multipart parts that each repeat the header as one file', async () => {
    const whole = messyCsv(300, 11);
    const [header, ...rows] = whole.trimEnd().split('\n');
    // Cut between records (a note may hold a newline inside quotes, so cut at record starts: "<id>,").
    const cut = (n: number) => rows.findIndex((line) => line.startsWith(`${n},`));
    const pieces = [rows.slice(0, cut(100)), rows.slice(cut(100), cut(220)), rows.slice(cut(220))];
    const parts = pieces.map((lines) => `${header}\n${lines.join('\n')}\n`);
    const job = await h.createJob();
    await h.upload(job.id, parts);
    const done = await settled(job.id);

    expect(done.status).toBe('COMPLETED');
    expect(done.scoredRows).toBe(300);
    const output = await readObject(h.deps.objects, outputKey(job.id));
    expect(output.equals(await h.expectedOutput(job, whole))).toBe(true);
  });

  it('aborts a multipart job whose parts have different headers, naming the part', async () => {
    const job = await h.createJob();
    await h.upload(job.id, [messyCsv(10, 1), messyCsv(10, 2, 'id,note,b,a')]);
    const done = await settled(job.id);

    expect(done.status).toBe('ABORTED');
    expect(done.statusDetails).toContain('input part 1 has a different header row than part 0');
    expect(await h.deps.objects.head(inputPartKey(job.id, 1))).not.toBeNull();
  });

  it('counts a chunk delivered twice once, and keeps its part identical', async () => {
    const input = messyCsv(60, 3);
    const job = await h.createJob();
    await h.upload(job.id, [input], 'manual');
    expect(h.recorded.started).toContain(job.id);
    const prepared = await prepareJob(h.manual, job.id, h.models);
    if (!prepared) throw new Error('prepare did not run');

    expect(await scoreChunkStep(h.manual, job.id, 0, h.models)).toBe('scored');
    const afterFirst = await h.job(job.id);
    expect(await scoreChunkStep(h.manual, job.id, 0, h.models)).toBe('duplicate');
    const afterSecond = await h.job(job.id);
    expect(afterSecond.chunksDone).toBe(1);
    expect(afterSecond.scoredRows).toBe(afterFirst.scoredRows);

    for (let i = 1; i < prepared.chunksTotal; i++) await scoreChunkStep(h.manual, job.id, i, h.models);
    expect(await finalizeJob(h.manual, job.id)).toBe(true);
    const done = await h.job(job.id);
    expect(done.scoredRows).toBe(60);
    const output = await readObject(h.deps.objects, outputKey(job.id));
    expect(output.equals(await h.expectedOutput(job, input))).toBe(true);
  });

  it('writes a plan whose chunks cover the input after the header, in order', async () => {
    const input = messyCsv(80, 4);
    const job = await h.createJob();
    await h.upload(job.id, [input], 'manual');
    await prepareJob(h.manual, job.id, h.models);
    const plan = await readChunkPlan(h.manual.objects, job.id);

    expect(plan.header.toString()).toBe('id,note,a,b\n');
    expect(plan.chunks[0]?.start).toBe(plan.header.length);
    expect(plan.chunks.at(-1)?.end).toBe(Buffer.byteLength(input));
    plan.chunks.forEach((chunk, i) => {
      expect(chunk.index).toBe(i);
      if (i > 0) expect(chunk.start).toBe(plan.chunks[i - 1]?.end);
    });
    expect((await h.job(job.id)).status).toBe('RUNNING');
  });

  it('transcodes UTF-16 input once and writes UTF-16 output equal to one-pass scoring', async () => {
    const text = messyCsv(120, 9);
    const input = encoded(text, 'utf16');
    const job = await h.createJob({ csvSettings: { encoding: 'utf-16' }, passthroughColumns: ['note'] });
    await h.upload(job.id, [input]);
    const done = await settled(job.id);

    expect(done.status).toBe('COMPLETED');
    expect(done.chunksTotal).toBeGreaterThan(3);
    expect(done.logs.join('\n')).toContain('transcoded to UTF-8');
    const output = await readObject(h.deps.objects, outputKey(job.id));
    expect(output.equals(await h.expectedOutput(job, input))).toBe(true);
  });
});

describe('job pipeline: input that cannot be scored ends the job ABORTED with a reason', () => {
  const cases: Array<[string, string, string]> = [
    ['missing columns', 'id,a\n1,2\n2,3\n', 'the input is missing a column the model needs: "b"'],
    ['an unterminated quote', 'id,a,b\n1,2,3\n2,"3,4\n', 'malformed CSV'],
    ['an empty file', '', 'the input is empty'],
    ['a header without rows', 'id,a,b\n', 'the input has a header row but no data rows'],
    ['only blank lines after the header', 'id,a,b\n\n\n', 'the input has a header row but no data rows'],
  ];
  for (const [what, input, reason] of cases) {
    it(`aborts on ${what}`, async () => {
      const job = await h.createJob();
      await h.upload(job.id, [input]);
      const done = await settled(job.id);

      expect(done.status).toBe('ABORTED');
      expect(done.statusDetails).toContain(reason);
      expect(await h.deps.objects.list(partsPrefix(job.id))).toEqual([]);
      expect(await h.deps.objects.head(outputKey(job.id))).toBeNull();
    });
  }

  it('aborts at the first failed row with abortOnError, naming the chunk and row', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},${i === 150 ? 'oops' : i / 10},1`);
    const job = await h.createJob({ abortOnError: true });
    await h.upload(job.id, [`id,a,b\n${rows.join('\n')}\n`]);
    const done = await settled(job.id);

    expect(done.status).toBe('ABORTED');
    expect(done.statusDetails).toMatch(/^in chunk \d+ of \d+: row \d+: column "a": "oops" is not a number/);
    expect(await h.deps.objects.list(partsPrefix(job.id))).toEqual([]);
  });

  it('counts a failed row and completes when abortOnError is false', async () => {
    const job = await h.createJob({ abortOnError: false });
    await h.upload(job.id, ['id,a,b\n1,1,2\n2,abc,2\n3,3,4\n']);
    const done = await settled(job.id);

    expect(done.status).toBe('COMPLETED');
    expect([done.scoredRows, done.failedRows]).toEqual([2, 1]);
  });

  it('aborts a job asking for prediction explanations with the NotSupported message', async () => {
    const job = await h.createJob({ maxExplanations: 3 });
    await h.upload(job.id, ['id,a,b\n1,1,2\n']);
    const done = await settled(job.id);

    expect(done.status).toBe('ABORTED');
    expect(done.statusDetails).toContain('this model cannot provide prediction explanations');
  });
});
