import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../shared/ports/object-store.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { outputHeaderKey, partsPrefix } from '../../../shared/use-cases/jobs/job-keys.js';
import { SequentialWorkflow } from '../../support/sequential-workflow.js';
import { messyCsv, useJobHarness } from '../use-cases/jobs/harness.js';

const h = useJobHarness(500);

const finished = (job: { status: string }) => job.status === 'COMPLETED' || job.status === 'ABORTED';

/** Deps whose workflow is a fresh SequentialWorkflow over the given object store. */
function depsWith(objects: ObjectStore, onUnexpectedError: (jobId: string, error: unknown) => void) {
  let deps: Deps | undefined;
  const workflow = new SequentialWorkflow(() => deps as Deps, { onUnexpectedError });
  deps = { ...h.deps, objects, workflow };
  return { deps, workflow };
}

describe('SequentialWorkflow', () => {
  it('runs a job started twice only once and resolves idle() when it is done', async () => {
    const job = await h.createJob();
    await h.upload(job.id, [messyCsv(50, 2)], 'manual');
    await Promise.all([h.workflow.start(job.id), h.workflow.start(job.id)]);
    await h.workflow.idle();

    const done = await h.job(job.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.scoredRows).toBe(50);
    expect(done.logs.filter((line) => line.includes('Planned'))).toHaveLength(1);
    // A start after the job ended finds nothing to do.
    await h.workflow.start(job.id);
    await h.workflow.idle();
    expect((await h.job(job.id)).version).toBe(done.version);
  });

  it('ends a job ABORTED with a readable reason when a step fails unexpectedly, and reports the error', async () => {
    const unexpected: unknown[] = [];
    // Finalize joins the header and the parts into the output: the step that fails here.
    const failingObjects: ObjectStore = Object.create(h.deps.objects, {
      concatenate: { value: () => Promise.reject(new Error('disk on fire')) },
    });
    const { deps, workflow } = depsWith(failingObjects, (_jobId, error) => unexpected.push(error));
    const job = await h.createJob();
    await h.upload(job.id, [messyCsv(30, 3)], 'manual');
    await workflow.start(job.id);
    await workflow.idle();

    const done = await h.job(job.id);
    expect(done.status).toBe('ABORTED');
    expect(done.statusDetails).toBe('The job could not be completed: disk on fire');
    expect(unexpected).toHaveLength(1);
    expect(await deps.objects.list(partsPrefix(job.id))).toEqual([]);
    expect(await deps.objects.head(outputHeaderKey(job.id))).toBeNull();
  });

  it('ends a job ABORTED when its pinned model package is gone', async () => {
    const job = await h.createJob();
    await h.deps.jobs.delete(job.id);
    await h.deps.jobs.create({ ...job, modelVersionId: 'f'.repeat(24) });
    await h.upload(job.id, ['a,b\n1,2\n']);
    const done = await h.waitFor(job.id, finished);

    expect(done.status).toBe('ABORTED');
    expect(done.statusDetails).toBe(`the job's model package ${'f'.repeat(24)} no longer exists`);
  });
});
