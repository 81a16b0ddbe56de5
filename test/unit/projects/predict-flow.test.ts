/**
 * The DataRobot client's predict job exchange (protocol predict-and-monitoring §1.1-1.6, seed 000) replayed over
 * HTTP against the embedded stack: project and model, dataset upload with the status pattern, request_predictions
 * with the 303 waiting pattern, predictions as JSON and CSV, and the same rows through a batch job.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';
import { readCsvTable } from '../../../shared/use-cases/projects/csv-table.js';
import { useLocalStack } from '../../support/local-stack.js';
import { classifier, createProject, dataset, registerModel, settle, uploadDataset } from './support.js';

const api = useLocalStack();
let modelId: string;
let projectId: string;

beforeAll(async () => {
  modelId = await registerModel(api(), classifier, 'churn');
  projectId = await createProject(api(), modelId, 'churn project');
}, 60_000);

describe('projects and models (Project.get, Model.get)', () => {
  it('returns the project fields the client requires, consistent for a plain ONNX model', async () => {
    const res = await api().call('GET', `projects/${projectId}/`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: projectId,
      projectName: 'churn project',
      target: 'churn',
      targetType: 'Binary',
      stage: 'modeling',
      autopilotMode: 0,
      partition: { cvMethod: 'random', useTimeSeries: false },
      positiveClass: '1',
    });
    const list = await api().call('GET', 'projects/');
    expect(Array.isArray(JSON.parse(list.text))).toBe(true);
    expect(JSON.parse(list.text).map((p: { id: string }) => p.id)).toContain(projectId);
  });

  it('returns a model (a model package) with its projectId, and lists the project models as an array', async () => {
    const res = await api().call('GET', `projects/${projectId}/models/${modelId}/`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: modelId, projectId, modelNumber: 1, predictionThreshold: 0.5 });
    const models = JSON.parse((await api().call('GET', `projects/${projectId}/models/`)).text);
    expect(models).toHaveLength(1);
    expect(models[0].id).toBe(modelId);
  });
});

describe('prediction datasets (Project.upload_dataset, get_datasets)', () => {
  it('answers the upload with 202 + an absolute status URL that 303s to a dataset with the required fields', async () => {
    const datasetId = await uploadDataset(api(), projectId, dataset(12, 1, { churn: (i) => String(i % 2) }));
    const res = await api().call('GET', `projects/${projectId}/predictionDatasets/${datasetId}/`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: datasetId,
      projectId,
      name: 'predict.csv',
      numRows: 12,
      numColumns: 4,
      containsTargetValues: true,
      dataQualityWarnings: {
        hasKiaMissingValuesInForecastWindow: false,
        insufficientRowsForEvaluatingModels: false,
        singleClassActualValueColumn: false,
      },
    });
    expect(Number.isNaN(Date.parse(res.body.created as string))).toBe(false);
    const list = await api().call('GET', `projects/${projectId}/predictionDatasets/`);
    expect((list.body.data as Array<{ id: string }>).map((d) => d.id)).toContain(datasetId);
    expect(list.body.next).toBeNull();
  });

  it('uploads from an s3:// URL the stack can read, through the same status pattern', async () => {
    const s3 = new S3Client(localS3ClientConfig(api().stack.s3Endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: 'project-data' }));
    await s3.send(new PutObjectCommand({ Bucket: 'project-data', Key: 'in/score.csv', Body: dataset(5, 4) }));
    s3.destroy();
    const posted = await api().call('POST', `projects/${projectId}/predictionDatasets/urlUploads/`, {
      url: 's3://project-data/in/score.csv',
    });
    expect(posted.status).toBe(202);
    const status = await api().call('GET', posted.headers.get('location') as string);
    expect(status.status).toBe(303);
    const res = await api().call('GET', status.headers.get('location') as string);
    expect(res.body).toMatchObject({ name: 'score.csv', numRows: 5, numColumns: 3, projectId });
  });

  it('deletes a dataset', async () => {
    const datasetId = await uploadDataset(api(), projectId, dataset(3, 2));
    const deleted = await api().call('DELETE', `projects/${projectId}/predictionDatasets/${datasetId}/`);
    expect(deleted.status).toBe(204);
    const gone = await api().call('GET', `projects/${projectId}/predictionDatasets/${datasetId}/`);
    expect(gone.status).toBe(404);
  });
});

describe('predict jobs (request_predictions, the 0b job pattern) and predictions', () => {
  const rows = dataset(200, 3);
  let datasetId: string;
  let jobUrl: string;
  let predictionsUrl: string;

  beforeAll(async () => {
    datasetId = await uploadDataset(api(), projectId, rows, 'rows.csv');
  });

  it('is done before the client first polls: POST 202 + Location, then 303 to the predictions every time', async () => {
    const started = performance.now();
    const posted = await api().call('POST', `projects/${projectId}/predictions/`, { modelId, datasetId });
    expect(posted.status).toBe(202);
    jobUrl = posted.headers.get('location') as string;
    expect(jobUrl).toMatch(new RegExp(`^${api().endpoint}/projects/${projectId}/predictJobs/\\d+/$`));
    // request_predictions GETs the job at once and parses the body as a PredictJob, 200 or 303.
    const first = await api().call('GET', jobUrl);
    const elapsed = performance.now() - started;
    console.log(
      `first predict job of 200 rows (cold workers): POST + first GET done in ${elapsed.toFixed(0)} ms`,
    );
    // The POST holds until the job is done (up to 20 s), so even a cold start costs the client no 5 s sleep.
    expect(elapsed).toBeLessThan(20_000);
    expect(first.status).toBe(303);
    expect(first.body).toMatchObject({
      id: jobUrl.split('/').at(-2),
      status: 'COMPLETED',
      projectId,
      modelId,
      isBlocked: false,
      message: '',
    });
    predictionsUrl = first.headers.get('location') as string;
    expect(predictionsUrl).toMatch(
      new RegExp(`^${api().endpoint}/projects/${projectId}/predictions/[0-9a-f]{24}/$`),
    );
    for (let i = 0; i < 2; i++) {
      const again = await api().call('GET', jobUrl);
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe(predictionsUrl);
    }
    const jobs = JSON.parse((await api().call('GET', `projects/${projectId}/predictJobs/`)).text);
    expect(jobs.map((j: { id: string }) => j.id)).toContain(first.body.id);
    const queued = JSON.parse(
      (await api().call('GET', `projects/${projectId}/predictJobs/?status=queue`)).text,
    );
    expect(queued).toEqual([]);
  });

  it("finishes a warm small job well within the client's first 5-second poll", async () => {
    const started = performance.now();
    const posted = await api().call('POST', `projects/${projectId}/predictions/`, { modelId, datasetId });
    const first = await api().call('GET', posted.headers.get('location') as string);
    const elapsed = performance.now() - started;
    console.log(`warm predict job of 200 rows: POST + first GET done in ${elapsed.toFixed(0)} ms`);
    expect(first.status).toBe(303);
    expect(elapsed).toBeLessThan(5_000);
    // Cancelling (job.cancel()) a finished job is accepted and leaves it finished.
    expect((await api().call('DELETE', posted.headers.get('location') as string)).status).toBe(204);
    expect((await api().call('GET', posted.headers.get('location') as string)).status).toBe(303);
  });

  it('serves JSON rows by default and CSV for Accept: text/csv, with the same values', async () => {
    const res = await api().call('GET', predictionsUrl);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      task: 'Binary',
      positiveClass: '1',
      includesPredictionIntervals: false,
    });
    const predictions = res.body.predictions as Array<Record<string, unknown>>;
    expect(predictions).toHaveLength(200);
    const row = predictions[5] as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual(
      ['positiveProbability', 'prediction', 'predictionThreshold', 'predictionValues', 'rowId'].sort(),
    );
    expect(row.rowId).toBe(5);
    expect((row.predictionValues as Array<{ label: string }>).map((v) => v.label)).toEqual(['0', '1']);
    const csv = await fetch(predictionsUrl, {
      headers: { Authorization: `Token ${api().key}`, Accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    const table = readCsvTable(Buffer.from(await csv.arrayBuffer()));
    expect(table.header).toEqual([
      'row_id',
      'prediction',
      'prediction_threshold',
      'positive_probability',
      'class_0',
      'class_1',
    ]);
    table.rows.forEach((cells, i) => {
      const json = predictions[i] as { prediction: string; positiveProbability: number };
      expect(cells[0]).toBe(String(i));
      expect(cells[1]).toBe(json.prediction);
      expect(Number(cells[3])).toBe(json.positiveProbability);
    });
  });

  it('lists and gets predictions metadata, filtered by modelId and predictionDatasetId', async () => {
    const predictionId = predictionsUrl.split('/').at(-2) as string;
    const list = await api().call(
      'GET',
      `projects/${projectId}/predictionsMetadata/?modelId=${modelId}&predictionDatasetId=${datasetId}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.data).toContainEqual(
      expect.objectContaining({
        id: predictionId,
        url: predictionsUrl,
        modelId,
        predictionDatasetId: datasetId,
        includesPredictionIntervals: false,
      }),
    );
    const other = await api().call(
      'GET',
      `projects/${projectId}/predictionsMetadata/?predictionDatasetId=${'0'.repeat(24)}`,
    );
    expect(other.body.data).toEqual([]);
    const one = await api().call('GET', `projects/${projectId}/predictionsMetadata/${predictionId}/`);
    expect(one.body).toMatchObject({ id: predictionId, modelId, predictionDatasetId: datasetId });
  });

  it('gives the same predictions as a batch prediction job over the same rows', async () => {
    const deployment = await api().call('POST', 'deployments/fromModelPackage/', {
      modelPackageId: modelId,
      label: 'churn',
    });
    const created = await api().call('POST', 'batchPredictions/', { deploymentId: deployment.body.id });
    const put = await fetch((created.body.links as { csvUpload: string }).csvUpload, {
      method: 'PUT',
      body: rows,
    });
    expect(put.status).toBe(202);
    let done: Record<string, unknown> = {};
    for (let i = 0; i < 400 && done.status !== 'COMPLETED'; i++) {
      done = (await api().call('GET', `batchPredictions/${created.body.id}/`)).body;
      if (done.status !== 'COMPLETED') await new Promise((r) => setTimeout(r, 50));
    }
    const download = await fetch((done.links as { download: string }).download, {
      headers: { Authorization: `Token ${api().key}` },
    });
    const batch = readCsvTable(Buffer.from(await download.arrayBuffer()));
    const predictions = (await api().call('GET', predictionsUrl)).body.predictions as Array<{
      prediction: string;
      predictionValues: Array<{ label: string; value: number }>;
      predictionThreshold: number;
      positiveProbability: number;
    }>;
    const at = (name: string) => batch.header.indexOf(name);
    expect(batch.rows).toHaveLength(predictions.length);
    batch.rows.forEach((cells, i) => {
      const row = predictions[i] as (typeof predictions)[number];
      expect(row.prediction).toBe(cells[at('churn_PREDICTION')]);
      expect(row.positiveProbability).toBe(Number(cells[at('churn_1_PREDICTION')]));
      expect(row.predictionValues).toEqual([
        { label: '0', value: Number(cells[at('churn_0_PREDICTION')]) },
        { label: '1', value: Number(cells[at('churn_1_PREDICTION')]) },
      ]);
      expect(row.predictionThreshold).toBe(Number(cells[at('THRESHOLD')]));
    });
    // Predict jobs score by model, not deployment: they stay out of the batch job list the client validates.
    const listed = (await api().call('GET', 'batchPredictions/')).body.data as Array<{ jobSpec: object }>;
    expect(listed.map((job) => job.jobSpec)).toEqual([
      expect.objectContaining({ deploymentId: deployment.body.id }),
    ]);
  });

  it('refuses a result too large for one response with a 422 saying what to do, and serves its smaller CSV', async () => {
    const large = await uploadDataset(api(), projectId, dataset(45_000, 6), 'large.csv');
    const posted = await api().call('POST', `projects/${projectId}/predictions/`, {
      modelId,
      datasetId: large,
    });
    const job = await settle(api(), posted.headers.get('location') as string);
    expect(job.status).toBe(303);
    const url = job.headers.get('location') as string;
    const asJson = await api().call('GET', url);
    expect(asJson.status).toBe(422);
    expect(asJson.headers.get('content-type')).toBe('application/json');
    expect(String(asJson.body.message)).toMatch(
      /bytes as JSON, more than the \d+ one response can carry.*text\/csv/,
    );
    const started = performance.now();
    const csv = await fetch(url, { headers: { Authorization: `Token ${api().key}`, Accept: 'text/csv' } });
    const bytes = Buffer.from(await csv.arrayBuffer());
    console.log(
      `45,000 binary predictions: ${bytes.length} bytes of CSV in ${(performance.now() - started).toFixed(0)} ms; JSON refused: ${asJson.body.message}`,
    );
    expect(csv.status).toBe(200);
    expect(readCsvTable(bytes).rows).toHaveLength(45_000);
  }, 60_000);

  it('cancels a running job (job.cancel()): it ends ABORTED and its POST answers at once', async () => {
    const big = await uploadDataset(api(), projectId, dataset(150_000, 8), 'big.csv');
    const posting = api().call('POST', `projects/${projectId}/predictions/`, { modelId, datasetId: big });
    let running: { id: string; status: string } | undefined;
    for (let i = 0; i < 500 && !running; i++) {
      const jobs = JSON.parse((await api().call('GET', `projects/${projectId}/predictJobs/`)).text);
      running = jobs.find((j: { status: string }) => j.status === 'queue' || j.status === 'inprogress');
      if (!running) await new Promise((r) => setTimeout(r, 10));
    }
    expect(running).toBeDefined();
    const jobUrl = `projects/${projectId}/predictJobs/${running?.id}/`;
    expect((await api().call('DELETE', jobUrl)).status).toBe(204);
    const posted = await posting;
    expect(posted.status).toBe(202);
    expect(posted.body.status).toBe('ABORTED');
    const job = await api().call('GET', jobUrl);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ status: 'ABORTED', message: 'Job aborted by the user' });
  }, 60_000);

  it('cancels the running jobs of a project it deletes', async () => {
    const doomed = await createProject(api(), modelId, 'doomed');
    const big = await uploadDataset(api(), doomed, dataset(150_000, 9), 'big.csv');
    const posting = api().call('POST', `projects/${doomed}/predictions/`, { modelId, datasetId: big });
    let running = false;
    for (let i = 0; i < 500 && !running; i++) {
      const jobs = JSON.parse((await api().call('GET', `projects/${doomed}/predictJobs/`)).text);
      running = jobs.some((j: { status: string }) => j.status === 'queue' || j.status === 'inprogress');
      if (!running) await new Promise((r) => setTimeout(r, 10));
    }
    expect(running).toBe(true);
    expect((await api().call('DELETE', `projects/${doomed}/`)).status).toBe(204);
    expect((await posting).body.status).toBe('ABORTED');
    expect((await api().call('GET', `projects/${doomed}/`)).status).toBe(404);
  }, 60_000);

  it('reports a job whose rows cannot be scored as status error with the reason, answering 200', async () => {
    const bad = await uploadDataset(api(), projectId, 'id,a,b\n1,0.5,0.1\n2,not-a-number,0.3\n');
    const posted = await api().call('POST', `projects/${projectId}/predictions/`, {
      modelId,
      datasetId: bad,
    });
    expect(posted.status).toBe(202);
    const job = await settle(api(), posted.headers.get('location') as string);
    expect(job.status).toBe(200);
    expect(job.body.status).toBe('error');
    expect(String(job.body.message).length).toBeGreaterThan(0);
    const failed = JSON.parse(
      (await api().call('GET', `projects/${projectId}/predictJobs/?status=error`)).text,
    );
    expect(failed.map((j: { id: string }) => j.id)).toContain(job.body.id);
  });
});
