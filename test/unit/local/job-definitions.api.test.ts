import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import { toSchedulerExpressions } from '../../../shared/domain/schedule/scheduler-expressions.js';
import { METRIC } from '../../../shared/observability/metric-names.js';
import { metrics } from '../../../shared/observability/observability.js';
import { runScheduledDefinition } from '../../../shared/use-cases/job-definitions/run-definition.js';
import { deployClassifier, waitForJob } from '../../support/job-definition-fixtures.js';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';
import { jdbcUrlOf, openAdmin, uniqueTable } from '../data-sources/sql-test-databases.js';

const CSV = 'id,a,b\n1,0.5,-1.2\n2,-0.3,0.8\n3,1.1,0.1\n';
/** The PostgreSQL entry of the driver catalog (GET externalDataDrivers/). */
const POSTGRESQL_DRIVER = '6a6462630000000000000001';
const HOURLY = { minute: [0], hour: ['*'], dayOfMonth: ['*'], month: ['*'], dayOfWeek: ['*'] };

/** The body the Python client sends for create(): the job spec flattened, `schedule: {}` for none. */
function clientBody(deploymentId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: false,
    schedule: {},
    numConcurrent: 1,
    deploymentId,
    intakeSettings: { type: 'localFile' },
    outputSettings: { type: 'localFile' },
    ...extra,
  };
}

async function upload(job: Record<string, unknown>): Promise<void> {
  const url = (job.links as { csvUpload: string }).csvUpload;
  const res = await fetch(url, { method: 'PUT', body: CSV, headers: { 'Content-Type': 'text/csv' } });
  expect(res.status).toBeLessThan(300);
}

async function jobsOf(api: TestApi, definitionId: string): Promise<Record<string, unknown>[]> {
  const list = await api.call('GET', 'batchPredictions/?limit=1000');
  return (list.body.data as Record<string, unknown>[]).filter(
    (job) => (job.batchPredictionJobDefinition as { id?: string } | null)?.id === definitionId,
  );
}

/** Rows of the large input: enough that its job is still going a moment after it starts. */
const LARGE_ROWS = 20_000;

describe('job definitions through the local API', () => {
  const api = useLocalStack();
  let deploymentId = '';
  let s3: S3Client;
  /** S3 intake of an object in the emulator's `inputs` bucket (scheduled runs read their input themselves). */
  const s3Intake = (key: string) => ({
    type: 's3',
    url: `s3://inputs/${key}`,
    endpointUrl: api().stack.s3Endpoint,
  });
  beforeAll(async () => {
    deploymentId = await deployClassifier(api());
    s3 = new S3Client(localS3ClientConfig(api().stack.s3Endpoint));
    for (const Bucket of ['inputs', 'scored']) await s3.send(new CreateBucketCommand({ Bucket }));
    const large = Array.from({ length: LARGE_ROWS }, (_, i) => `${i},${Math.sin(i)},${Math.cos(i)}`);
    await s3.send(new PutObjectCommand({ Bucket: 'inputs', Key: 'small.csv', Body: CSV }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'inputs', Key: 'large.csv', Body: `id,a,b\n${large.join('\n')}\n` }),
    );
  }, 60_000);
  afterAll(() => s3.destroy());

  it('creates, reads, lists, renames and deletes definitions as the Python client does', async () => {
    const created = await api().call('POST', 'batchPredictionJobDefinitions/', {
      ...clientBody(deploymentId),
      name: 'nightly',
    });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.body).toMatchObject({
      name: 'nightly',
      enabled: false,
      schedule: null,
      batchPredictionJob: { numConcurrent: 1, deploymentId, intakeSettings: { type: 'localFile' } },
      createdBy: { username: 'admin', userId: 'admin' },
      updatedBy: { username: 'admin', userId: 'admin' },
      lastScheduledRunTime: null,
      nextScheduledRunTime: null,
      lastStartedJobStatus: null,
      lastSuccessfulRunTime: null,
      lastFailedRunTime: null,
    });
    for (const path of [`batchPredictionJobDefinitions/${id}/`, `batchPredictionJobDefinitions/${id}`]) {
      const got = await api().call('GET', path);
      expect(got.status).toBe(200);
      expect(got.body.id).toBe(id);
    }

    const other = await api().call('POST', 'batchPredictionJobDefinitions/', clientBody(deploymentId));
    expect(other.status).toBe(202);
    expect(other.body.name).toBe(`Job definition ${other.body.id}`);
    const page = await api().call('GET', 'batchPredictionJobDefinitions/?limit=1');
    expect(page.body).toMatchObject({ count: 1, previous: null });
    expect(page.body.totalCount).toBeGreaterThanOrEqual(2);
    expect(String(page.body.next)).toContain('offset=1');
    const byName = await api().call('GET', 'batchPredictionJobDefinitions/?searchName=nightly');
    expect((byName.body.data as { id: string }[]).map((d) => d.id)).toEqual([id]);

    // update() PATCHes without a trailing slash; a rename frees the old name.
    const renamed = await api().call('PATCH', `batchPredictionJobDefinitions/${id}`, {
      enabled: false,
      name: 'nightly-2',
      numConcurrent: 2,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'nightly-2', batchPredictionJob: { numConcurrent: 2 } });
    expect(
      (
        await api().call('POST', 'batchPredictionJobDefinitions/', {
          ...clientBody(deploymentId),
          name: 'nightly',
        })
      ).status,
    ).toBe(202);
    const duplicate = await api().call('POST', 'batchPredictionJobDefinitions/', {
      ...clientBody(deploymentId),
      name: 'nightly-2',
    });
    expect(duplicate.status).toBe(409);
    const clash = await api().call('PATCH', `batchPredictionJobDefinitions/${other.body.id}`, {
      name: 'nightly',
    });
    expect(clash.status).toBe(409);

    expect((await api().call('DELETE', `batchPredictionJobDefinitions/${id}/`)).status).toBe(204);
    expect((await api().call('GET', `batchPredictionJobDefinitions/${id}/`)).status).toBe(404);
    expect((await api().call('DELETE', `batchPredictionJobDefinitions/${id}/`)).status).toBe(404);
  });

  it('gives a name to one of several creates racing for it and answers the others 409', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        api().call('POST', 'batchPredictionJobDefinitions/', { ...clientBody(deploymentId), name: 'race' }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409, 409]);
    const listed = await api().call('GET', 'batchPredictionJobDefinitions/?searchName=race');
    expect(listed.body.totalCount).toBe(1);
  });

  it('rejects bad templates with their position, and bad schedules and fields by name', async () => {
    const badTemplate = await api().call(
      'POST',
      'batchPredictionJobDefinitions/',
      clientBody(deploymentId, {
        outputSettings: { type: 's3', url: 's3://out/{{ current_run_time.strftime( }}.csv' },
      }),
    );
    expect(badTemplate.status).toBe(422);
    expect(badTemplate.text).toContain('outputSettings.url');
    expect(badTemplate.text).toMatch(/1:\d+/);

    const badSchedule = await api().call(
      'POST',
      'batchPredictionJobDefinitions/',
      clientBody(deploymentId, { enabled: true, schedule: { ...HOURLY, minute: [61] } }),
    );
    expect(badSchedule.status).toBe(422);
    expect(badSchedule.text).toContain('schedule.minute');

    const unreadable = await api().call(
      'POST',
      'batchPredictionJobDefinitions/',
      clientBody(deploymentId, { enabled: true, schedule: HOURLY }),
    );
    expect(unreadable.status).toBe(422);
    expect(unreadable.text).toContain('intakeSettings.type');

    const unknown = await api().call(
      'POST',
      'batchPredictionJobDefinitions/',
      clientBody(deploymentId, { colour: 1 }),
    );
    expect(unknown.status).toBe(422);
    const foreign = await api().call('POST', 'batchPredictionJobDefinitions/', clientBody('f'.repeat(24)));
    expect(foreign.status).toBe(404);
  });

  it('keeps the scheduler in step with enabling, rescheduling, disabling and deleting', async () => {
    const scheduler = api().stack.definitionScheduler;
    const schedule = { minute: [0, 30], hour: [2], dayOfMonth: [1], month: ['*'], dayOfWeek: ['mon'] };
    const created = await api().call(
      'POST',
      'batchPredictionJobDefinitions/',
      clientBody(deploymentId, { enabled: true, schedule, intakeSettings: s3Intake('small.csv') }),
    );
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    expect(created.body.nextScheduledRunTime).toEqual(expect.any(String));
    expect(await scheduler.list(id)).toEqual(toSchedulerExpressions(created.body.schedule as never).sort());
    expect((await scheduler.list(id)).length).toBeGreaterThanOrEqual(2);

    await api().call('PATCH', `batchPredictionJobDefinitions/${id}`, { enabled: false });
    expect(await scheduler.list(id)).toEqual([]);
    const rescheduled = await api().call('PATCH', `batchPredictionJobDefinitions/${id}`, {
      enabled: true,
      schedule: HOURLY,
    });
    expect(await scheduler.list(id)).toEqual(
      toSchedulerExpressions(rescheduled.body.schedule as never).sort(),
    );
    await api().call('DELETE', `batchPredictionJobDefinitions/${id}/`);
    expect(await scheduler.list(id)).toEqual([]);
  });

  it('runs a definition once on request; the job points back to it and scores', async () => {
    const created = await api().call('POST', 'batchPredictionJobDefinitions/', {
      ...clientBody(deploymentId),
      name: 'once',
    });
    const started = await api().call('POST', 'batchPredictions/fromJobDefinition/', {
      jobDefinitionId: created.body.id,
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      batchPredictionJobDefinition: { id: created.body.id, name: 'once', createdBy: 'admin' },
    });
    await upload(started.body);
    await waitForJob(api(), started.body.id as string, (job) => job.status === 'COMPLETED');
    const definition = await api().call('GET', `batchPredictionJobDefinitions/${created.body.id}/`);
    expect(definition.body).toMatchObject({
      lastStartedJobStatus: 'COMPLETED',
      lastStartedJobTime: expect.any(String),
      lastSuccessfulRunTime: expect.any(String),
      lastScheduledRunTime: null,
    });
    const missing = await api().call('POST', 'batchPredictions/fromJobDefinition/', {
      jobDefinitionId: 'f'.repeat(24),
    });
    expect(missing.status).toBe(404);
  });

  it('fires on schedule (controllable clock), renders templates into real S3 keys, skips while the previous run goes, and stops when disabled', async () => {
    const created = await api().call('POST', 'batchPredictionJobDefinitions/', {
      ...clientBody(deploymentId),
      name: 'hourly',
      enabled: true,
      schedule: HOURLY,
      intakeSettings: s3Intake('large.csv'),
      outputSettings: {
        type: 's3',
        url: "s3://scored/{{ current_run_time.strftime('%Y-%m-%d') }}/run-{{ current_run_timestamp }}.csv",
        endpointUrl: api().stack.s3Endpoint,
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const scheduler = api().stack.definitionScheduler;

    // 01:00 starts a job; 02:00, fired right after, finds it still going and is skipped, with a log entry.
    const counted = vi.spyOn(metrics, 'addMetric');
    const fired = await scheduler.runDue(new Date('2030-01-01T00:30:00Z'), new Date('2030-01-01T02:30:00Z'));
    expect(fired).toBe(2);
    // The started run counts as a job created; the skipped one does not.
    expect(counted.mock.calls.filter(([name]) => name === METRIC.jobsCreated)).toEqual([
      [METRIC.jobsCreated, 'Count', 1],
    ]);
    counted.mockRestore();
    const [job, ...others] = await jobsOf(api(), id);
    if (!job) throw new Error('the 01:00 run started no job');
    expect(others).toEqual([]);
    expect((job.jobSpec as { outputSettings: { url: string } }).outputSettings.url).toBe(
      `s3://scored/2030-01-01/run-${Date.UTC(2030, 0, 1, 1)}.csv`,
    );
    let definition = await api().call('GET', `batchPredictionJobDefinitions/${id}/`);
    expect(definition.body).toMatchObject({
      lastScheduledRunTime: '2030-01-01T01:00:00.000Z',
      lastStartedJobStatus: expect.stringMatching(/^(INITIALIZING|RUNNING|COMPLETED)$/),
    });
    expect(definition.body.logs).toEqual([
      expect.stringContaining('Skipped the run scheduled for 2030-01-01T02:00:00.000Z'),
    ]);

    // The same firing delivered again starts nothing new.
    const again = await runScheduledDefinition(api().stack.deps, {
      definitionId: id,
      scheduledTime: '2030-01-01T01:00:00Z',
    });
    expect(again).toEqual({ outcome: 'duplicate', jobId: job.id });

    await waitForJob(api(), job.id as string, (j) => j.status === 'COMPLETED');
    const object = await s3.send(
      new GetObjectCommand({ Bucket: 'scored', Key: `2030-01-01/run-${Date.UTC(2030, 0, 1, 1)}.csv` }),
    );
    const scored = await object.Body?.transformToString();
    expect(scored?.split('\n')[0]).toContain('churn');
    expect(scored?.trim().split('\n')).toHaveLength(LARGE_ROWS + 1);

    // Disabled, nothing fires any more, whatever time it is.
    await api().call('PATCH', `batchPredictionJobDefinitions/${id}`, { enabled: false });
    expect(await scheduler.runDue(new Date('2030-01-01T02:30:00Z'), new Date('2030-01-03T00:00:00Z'))).toBe(
      0,
    );
    expect(await jobsOf(api(), id)).toHaveLength(1);
    definition = await api().call('GET', `batchPredictionJobDefinitions/${id}/`);
    expect(definition.body).toMatchObject({ nextScheduledRunTime: null, lastStartedJobStatus: 'COMPLETED' });
  }, 60_000);

  it('renders a scheduled run into a real PostgreSQL table name', async () => {
    const store = await api().call('POST', 'externalDataStores/', {
      canonicalName: 'pg for definitions',
      type: 'jdbc',
      params: { driverId: POSTGRESQL_DRIVER, jdbcUrl: jdbcUrlOf('postgresql') },
    });
    expect(store.status).toBe(201);
    const credential = await api().call('POST', 'credentials/', {
      name: uniqueTable('defcred'),
      credentialType: 'basic',
      user: 'postgres',
      password: 'trust-auth-ignores-it',
    });
    expect(credential.status).toBe(201);
    const prefix = uniqueTable('def');
    const created = await api().call('POST', 'batchPredictionJobDefinitions/', {
      ...clientBody(deploymentId),
      enabled: true,
      schedule: HOURLY,
      intakeSettings: s3Intake('small.csv'),
      outputSettings: {
        type: 'jdbc',
        dataStoreId: store.body.id,
        credentialId: credential.body.credentialId,
        schema: 'public',
        table: `${prefix}_{{ current_run_time.strftime('%Y%m%d_%H%M') }}`,
        statementType: 'insert',
        createTableIfNotExists: true,
      },
    });
    expect(created.status, created.text).toBe(202);
    const scheduler = api().stack.definitionScheduler;
    expect(await scheduler.runDue(new Date('2031-03-04T04:30:00Z'), new Date('2031-03-04T05:00:00Z'))).toBe(
      1,
    );
    const [job] = await jobsOf(api(), created.body.id as string);
    if (!job) throw new Error('the 05:00 run started no job');
    const done = await waitForJob(
      api(),
      job.id as string,
      (j) => j.status !== 'INITIALIZING' && j.status !== 'RUNNING',
    );
    expect(done.status, String(done.statusDetails)).toBe('COMPLETED');
    const admin = await openAdmin('postgresql');
    try {
      const [row] = await admin.query(`SELECT COUNT(*) AS n FROM public.${prefix}_20310304_0500`);
      expect(Number(row?.n)).toBe(3);
      await admin.query(`DROP TABLE public.${prefix}_20310304_0500`);
    } finally {
      await admin.close();
    }
    await api().call('DELETE', `batchPredictionJobDefinitions/${created.body.id}/`);
  }, 60_000);

  it('repairs a stale schedule instead of running it', async () => {
    const scheduler = api().stack.definitionScheduler;
    const ghost = 'e'.repeat(24);
    await scheduler.upsert(ghost, ['cron(0 * ? * * *)']);
    const outcome = await runScheduledDefinition(api().stack.deps, {
      definitionId: ghost,
      scheduledTime: '2030-01-01T01:00:00Z',
      expression: 'cron(0 * ? * * *)',
    });
    expect(outcome).toEqual({ outcome: 'stale' });
    expect(await scheduler.list(ghost)).toEqual([]);
  });
});
