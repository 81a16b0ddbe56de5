import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as s3DropHandler } from '../../../functions/s3-drop.js';
import { localContext } from '../../../local/lambda-event.js';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import type { JobRecord } from '../../../shared/domain/job.js';
import { METRIC } from '../../../shared/observability/metric-names.js';
import { metrics } from '../../../shared/observability/observability.js';
import { deployClassifier, waitForJob } from '../../support/job-definition-fixtures.js';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';

const CSV = 'id,a,b\n1,0.5,-1.2\n2,-0.3,0.8\n';

async function createTriggered(
  api: TestApi,
  deploymentId: string,
  prefix: string,
  outputSettings: Record<string, unknown> = { type: 'localFile' },
): Promise<string> {
  const created = await api.call('POST', 'batchPredictionJobDefinitions/', {
    name: `drops into ${prefix}`,
    enabled: true,
    deploymentId,
    trigger: { type: 's3Drop', prefix },
    outputSettings,
  });
  expect(created.status).toBe(202);
  expect(created.body.trigger).toEqual({ type: 's3Drop', prefix, keyPrefix: `drops/admin/${prefix}` });
  return created.body.id as string;
}

/** Every job of the definition, straight from the store (the API pages at 1000). */
async function jobsOf(api: TestApi, definitionId: string): Promise<JobRecord[]> {
  const { jobs } = await api.stack.deps.jobs.list('admin', { offset: 0, limit: 100_000 });
  return jobs.filter((job) => job.jobDefinition?.id === definitionId);
}

async function drop(api: TestApi, key: string, body = CSV): Promise<void> {
  await api.stack.deps.objects.put(key, Buffer.from(body), { contentType: 'text/csv' });
}

/** EventBridge's "Object Created" event for an object in the stack's bucket, as S3 sends it. */
function objectCreated(id: string, object: { key: string; etag: string; sequencer?: string }) {
  return {
    version: '0',
    id,
    'detail-type': 'Object Created' as const,
    source: 'aws.s3',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'local',
    resources: [],
    detail: { bucket: { name: 'batchline' }, object },
  };
}

describe('S3-drop triggers on the local stack', () => {
  const api = useLocalStack();
  let deploymentId = '';
  beforeAll(async () => {
    deploymentId = await deployClassifier(api());
  }, 60_000);

  it('starts exactly one job per object dropped under the prefix, with the object as input and a templated output', async () => {
    const s3 = new S3Client(localS3ClientConfig(api().stack.s3Endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: 'drop-results' }));
    const id = await createTriggered(api(), deploymentId, 'incoming/', {
      type: 's3',
      url: 's3://drop-results/{{ input_basename }}.scored.csv',
      endpointUrl: api().stack.s3Endpoint,
    });
    await drop(api(), 'drops/admin/incoming/day1.csv');
    await drop(api(), 'drops/admin/elsewhere/day1.csv');
    await drop(api(), 'drops/admin/incoming/');
    await api().stack.drops.idle();

    const [job, ...others] = await jobsOf(api(), id);
    if (!job) throw new Error('the drop started no job');
    expect(others).toEqual([]);
    const done = await waitForJob(api(), job.id, (j) => j.status === 'COMPLETED');
    expect(done).toMatchObject({ scoredRows: 2, jobIntakeSize: CSV.length });
    const scored = await s3.send(
      new GetObjectCommand({ Bucket: 'drop-results', Key: 'day1.csv.scored.csv' }),
    );
    expect((await scored.Body?.transformToString())?.trim().split('\n')).toHaveLength(3);
    s3.destroy();
  }, 60_000);

  it('starts one job for an event delivered twice', async () => {
    const id = await createTriggered(api(), deploymentId, 'twice/');
    const event = objectCreated('e1', { key: 'drops/admin/twice/x.csv', etag: 'abc', sequencer: '0001' });
    await drop(api(), 'drops/admin/other-root/x.csv');
    await api().stack.deps.objects.put('drops/admin/twice/x.csv', Buffer.from(CSV));
    await api().stack.drops.idle();
    const jobsBefore = await jobsOf(api(), id);
    const context = localContext('s3-drop');
    const counted = vi.spyOn(metrics, 'addMetric');
    const [first, second] = await Promise.all([s3DropHandler(event, context), s3DropHandler(event, context)]);
    const third = await s3DropHandler(event, context);
    const outcomes = [first, second, third].flat().map((o) => o.outcome);
    expect(outcomes.filter((o) => o === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(2);
    expect(await jobsOf(api(), id)).toHaveLength(jobsBefore.length + 1);
    // The one job started counts as created; the duplicates do not.
    expect(counted.mock.calls.filter(([name]) => name === METRIC.jobsCreated)).toEqual([
      [METRIC.jobsCreated, 'Count', 1],
    ]);
    counted.mockRestore();
  });

  it('ends the job ABORTED, saying why, when the dropped object is gone before it is read', async () => {
    const id = await createTriggered(api(), deploymentId, 'vanishing/');
    const [outcome] = await s3DropHandler(
      objectCreated('e2', { key: 'drops/admin/vanishing/gone.csv', etag: 'e' }),
      localContext('s3-drop'),
    );
    expect(outcome).toMatchObject({ definitionId: id, outcome: 'started' });
    const [job] = await jobsOf(api(), id);
    expect(job).toMatchObject({ status: 'ABORTED', statusDetails: expect.stringContaining('was deleted') });
  });

  it('ignores drops for a disabled definition', async () => {
    const id = await createTriggered(api(), deploymentId, 'paused/');
    await api().call('PATCH', `batchPredictionJobDefinitions/${id}`, { enabled: false });
    await drop(api(), 'drops/admin/paused/a.csv');
    await api().stack.drops.idle();
    expect(await jobsOf(api(), id)).toEqual([]);
  });
});
