import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../../shared/domain/errors.js';
import { completeInput, putInputPart } from '../../../../shared/use-cases/jobs/input-upload.js';
import { inputPartKey } from '../../../../shared/use-cases/jobs/job-keys.js';
import { readObject } from '../../../../shared/use-cases/jobs/object-bytes.js';
import { useJobHarness } from './harness.js';

const h = useJobHarness(1 << 20);

describe('input upload', () => {
  it('stores parts under 6-digit keys, sets jobIntakeSize to their sum and starts the workflow once', async () => {
    const job = await h.createJob();
    await putInputPart(h.manual, job.id, 0, Buffer.from('a,b\n1,2\n'));
    await putInputPart(h.manual, job.id, 12, Buffer.from('a,b\n3,4\n5,6\n'));

    const completed = await completeInput(h.manual, job.id);
    expect(completed.jobIntakeSize).toBe(8 + 12);
    expect(completed.status).toBe('INITIALIZING');
    expect((await readObject(h.manual.objects, inputPartKey(job.id, 12))).toString()).toBe('a,b\n3,4\n5,6\n');
    expect(h.recorded.started.filter((id) => id === job.id)).toHaveLength(1);
    expect((await h.job(job.id)).logs.at(-1)).toMatch(/Input received: 20 bytes in 2 parts$/);
  });

  it('refuses a second completion and any part after completion with a ConflictError', async () => {
    const job = await h.createJob();
    await putInputPart(h.manual, job.id, 0, Buffer.from('a,b\n1,2\n'));
    await completeInput(h.manual, job.id);

    await expect(completeInput(h.manual, job.id)).rejects.toThrow(ConflictError);
    await expect(putInputPart(h.manual, job.id, 0, Buffer.from('x'))).rejects.toThrow(
      `The input of job ${job.id} was already uploaded`,
    );
    expect((await readObject(h.manual.objects, inputPartKey(job.id, 0))).toString()).toBe('a,b\n1,2\n');
  });

  it('lets exactly one of two racing completions win', async () => {
    const job = await h.createJob();
    await putInputPart(h.manual, job.id, 0, Buffer.from('a,b\n1,2\n'));
    const results = await Promise.allSettled([
      completeInput(h.manual, job.id),
      completeInput(h.manual, job.id),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ConflictError);
    expect(h.recorded.started.filter((id) => id === job.id)).toHaveLength(1);
  });

  it('refuses uploads to a job that no longer waits for input', async () => {
    const job = await h.createJob();
    await h.manual.jobs.transition(job.id, ['INITIALIZING'], 'ABORTED', { statusDetails: 'aborted' });
    await expect(putInputPart(h.manual, job.id, 0, Buffer.from('a\n1\n'))).rejects.toThrow(
      `Job ${job.id} is ABORTED and no longer accepts input`,
    );
    await expect(completeInput(h.manual, job.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses uploads to a job reading its input from elsewhere', async () => {
    const job = await h.createJob({ intakeSettings: { type: 's3', url: 's3://bucket/in.csv' } });
    await expect(putInputPart(h.manual, job.id, 0, Buffer.from('a\n1\n'))).rejects.toThrow(
      'reads its input from s3; it takes no upload',
    );
  });

  it('rejects part numbers the object layout cannot hold, and unknown jobs', async () => {
    const job = await h.createJob();
    for (const part of [-1, 1.5, 1_000_000]) {
      await expect(putInputPart(h.manual, job.id, part, Buffer.from('a\n'))).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    await expect(putInputPart(h.manual, 'f'.repeat(24), 0, Buffer.from('a\n'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
