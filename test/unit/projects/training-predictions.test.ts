/**
 * Training predictions (protocol predict-and-monitoring §1.7) over HTTP against the embedded stack: the subsets
 * a partition column (or the default rule) selects, the generic job pattern with its 303 to
 * `.../trainingPredictions/<id>/`, paged rows the way the client pages them, CSV, and the refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsvTable } from '../../../shared/use-cases/projects/csv-table.js';
import { useLocalStack } from '../../support/local-stack.js';
import { classifier, createProject, dataset, postForm, registerModel, settle } from './support.js';

const api = useLocalStack();
let modelId: string;
let projectId: string;
const PARTITIONS = ['training', 'Training', 'validation', 'training', 'holdout', 'Holdout', 'training'];
// 7 rows: 2 holdout (4, 5), 1 validation (2).
const training = dataset(7, 11, { churn: (i) => String(i % 2), fold: (i) => PARTITIONS[i] as string });

beforeAll(async () => {
  modelId = await registerModel(api(), classifier, 'churn');
  projectId = await createProject(api(), modelId);
  const uploaded = await postForm(
    api(),
    `projects/${projectId}/trainingDataset/fileUploads/`,
    { name: 'train.csv', content: training },
    { partitionColumn: 'fold' },
  );
  expect(uploaded.status).toBe(201);
  expect(uploaded.body).toMatchObject({
    fileName: 'train.csv',
    trainingData: { numRows: 7, partitionColumn: 'fold' },
  });
}, 60_000);

async function request(dataSubset: string, project = projectId) {
  return api().call('POST', `projects/${project}/trainingPredictions/`, { modelId, dataSubset });
}

/** Requests a subset and follows the job to its 303, returning the training predictions URL. */
async function trainingPredictions(dataSubset: string): Promise<string> {
  const posted = await request(dataSubset);
  expect(posted.status).toBe(202);
  const jobUrl = posted.headers.get('location') as string;
  expect(jobUrl).toMatch(new RegExp(`^${api().endpoint}/projects/${projectId}/jobs/\\d+/$`));
  const job = await settle(api(), jobUrl);
  expect(job.status).toBe(303);
  expect(job.body).toMatchObject({
    status: 'COMPLETED',
    jobType: 'trainingPredictions',
    isBlocked: false,
    url: jobUrl,
    projectId,
    modelId,
  });
  const location = job.headers.get('location') as string;
  expect(location).toMatch(new RegExp(`/projects/${projectId}/trainingPredictions/[0-9a-f]{24}/$`));
  return location;
}

describe('training predictions', () => {
  it('scores every row for "all", with row ids and partitions, all rows when no limit is given', async () => {
    const url = await trainingPredictions('all');
    const rows = await api().call('GET', url);
    expect(rows.status).toBe(200);
    const data = rows.body.data as Array<Record<string, unknown>>;
    expect(rows.body.next).toBeNull();
    expect(data.map((r) => r.rowId)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(data.map((r) => r.partitionId)).toEqual([
      'Training',
      'Training',
      '0.0',
      'Training',
      'Holdout',
      'Holdout',
      'Training',
    ]);
    expect(
      (data[0] as { predictionValues: Array<{ label: string }> }).predictionValues.map((v) => v.label),
    ).toEqual(['0', '1']);
    const listed = await api().call('GET', `projects/${projectId}/trainingPredictions/`);
    expect(listed.body.data).toContainEqual(expect.objectContaining({ url, modelId, dataSubset: 'all' }));
  });

  it('pages the way the client does: integer-only next links until a short page', async () => {
    const listed = await api().call('GET', `projects/${projectId}/trainingPredictions/`);
    const { url } = (listed.body.data as Array<{ url: string; dataSubset: string }>).find(
      (t) => t.dataSubset === 'all',
    ) as { url: string };
    const seen: number[] = [];
    let query = '?limit=3';
    for (let page = 0; page < 5; page++) {
      const res = await api().call('GET', `${url}${query}`);
      seen.push(...(res.body.data as Array<{ rowId: number }>).map((r) => r.rowId));
      if (res.body.next === null) break;
      const params = new URL(res.body.next as string).searchParams;
      expect([...params.keys()].sort()).toEqual(['limit', 'offset']);
      query = `?offset=${params.get('offset')}&limit=${params.get('limit')}`;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('scores only holdout rows for "holdout" and validation plus holdout for "validationAndHoldout"; CSV too', async () => {
    const holdout = await api().call('GET', await trainingPredictions('holdout'));
    expect((holdout.body.data as Array<{ rowId: number }>).map((r) => r.rowId)).toEqual([4, 5]);
    const url = await trainingPredictions('validationAndHoldout');
    const json = await api().call('GET', url);
    expect((json.body.data as Array<{ rowId: number }>).map((r) => r.rowId)).toEqual([2, 4, 5]);
    const csv = await fetch(url, { headers: { Authorization: `Token ${api().key}`, Accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-encoding')).toBeNull();
    const table = readCsvTable(Buffer.from(await csv.arrayBuffer()));
    expect(table.header).toEqual(['row_id', 'partition_id', 'prediction', 'class_0', 'class_1']);
    expect(table.rows.map((r) => r.slice(0, 2))).toEqual([
      ['2', '0.0'],
      ['4', 'Holdout'],
      ['5', 'Holdout'],
    ]);
  });

  it('answers a second request for the same model and subset as DataRobot does (JobAlreadyAdded)', async () => {
    const again = await request('holdout');
    expect(again.status).toBe(422);
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(again.body.errorName).toBe('JobAlreadyAdded');
  });

  it('lets exactly one of simultaneous requests for a model and subset start a job (a conditional write)', async () => {
    const project = await createProject(api(), modelId, 'simultaneous');
    const upload = await postForm(api(), `projects/${project}/trainingDataset/fileUploads/`, {
      name: 't.csv',
      content: dataset(10, 3),
    });
    expect(upload.status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 6 }, () => request('all', project)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 422, 422, 422, 422, 422]);
    for (const refused of answers.filter((a) => a.status === 422)) {
      expect(refused.body.errorName).toBe('JobAlreadyAdded');
    }
    // Another subset of the same model is a separate claim.
    expect((await request('holdout', project)).status).toBe(202);
  });

  it('takes a new request once the job for the subset failed, still one winner among simultaneous ones', async () => {
    const project = await createProject(api(), modelId, 'failing');
    const rows = `${dataset(5, 4)
      .trimEnd()
      .replace(/\n4,[^,]+,/, '\n4,not-a-number,')}\n`;
    expect(rows).toContain('not-a-number');
    const upload = await postForm(api(), `projects/${project}/trainingDataset/fileUploads/`, {
      name: 't.csv',
      content: rows,
    });
    expect(upload.status).toBe(201);
    const failedJob = async (answer: { status: number; headers: Headers }) => {
      expect(answer.status).toBe(202);
      const job = await settle(api(), answer.headers.get('location') as string);
      expect(job.body.status).toBe('error');
    };
    await failedJob(await request('all', project));
    const answers = await Promise.all(Array.from({ length: 4 }, () => request('all', project)));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 422, 422, 422]);
    await failedJob(answers.find((a) => a.status === 202) as (typeof answers)[number]);
    // The claim chain now has two failed links; the next request walks past both.
    await failedJob(await request('all', project));
  });

  it('refuses allBacktests (no time series) and a project without training data with a clear 422', async () => {
    const backtests = await request('allBacktests');
    expect(backtests.status).toBe(422);
    expect(String(backtests.body.message)).toMatch(/allBacktests.*not supported/);
    const bare = await createProject(api(), modelId, 'no training data');
    const none = await request('all', bare);
    expect(none.status).toBe(422);
    expect(String(none.body.message)).toMatch(/no training dataset/);
    const bad = await request('everything');
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toHaveProperty('dataSubset');
  });

  it('splits by the documented default rule without a partition column, and refuses an empty subset', async () => {
    const project = await createProject(api(), modelId, 'default rule');
    const upload = (rows: number) =>
      postForm(api(), `projects/${project}/trainingDataset/fileUploads/`, {
        name: 't.csv',
        content: dataset(rows, 5),
      });
    expect((await upload(3)).status).toBe(201);
    const empty = await request('holdout', project);
    expect(empty.status).toBe(422);
    expect(String(empty.body.message)).toMatch(/no holdout rows/);
    expect((await upload(10)).status).toBe(201);
    const posted = await request('validationAndHoldout', project);
    const job = await settle(api(), posted.headers.get('location') as string);
    const rows = await api().call('GET', job.headers.get('location') as string);
    expect(
      (rows.body.data as Array<{ rowId: number; partitionId: string }>).map((r) => [r.rowId, r.partitionId]),
    ).toEqual([
      [3, '0.0'],
      [4, 'Holdout'],
      [8, '0.0'],
      [9, 'Holdout'],
    ]);
  });

  it('refuses a training file without the partition column, or that is not CSV', async () => {
    const noColumn = await postForm(
      api(),
      `projects/${projectId}/trainingDataset/fileUploads/`,
      { name: 'train.csv', content: dataset(3, 1) },
      { partitionColumn: 'fold' },
    );
    expect(noColumn.status).toBe(422);
    expect(noColumn.body.errors).toHaveProperty('partitionColumn');
    const broken = await postForm(api(), `projects/${projectId}/trainingDataset/fileUploads/`, {
      name: 'broken.csv',
      content: 'a,b\n"never closed,1\n',
    });
    expect(broken.status).toBe(422);
    expect(broken.body.errors).toHaveProperty('file');
  });
});
