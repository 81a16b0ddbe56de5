/** Every bad request of the project API gets a clear 4xx JSON answer naming what is wrong (never a 500). */
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../../support/local-stack.js';
import {
  classifier,
  createProject,
  dataset,
  postForm,
  registerModel,
  regressor,
  uploadDataset,
} from './support.js';

const api = useLocalStack();
const UNKNOWN = 'f'.repeat(24);
let modelId: string;
let projectId: string;
let datasetId: string;

beforeAll(async () => {
  modelId = await registerModel(api(), classifier, 'churn');
  projectId = await createProject(api(), modelId);
  datasetId = await uploadDataset(api(), projectId, dataset(4, 1));
}, 60_000);

function expectError(
  res: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(typeof res.body.message).toBe('string');
}

describe('projects and models', () => {
  it('answers unknown projects and models 404, and requires a key', async () => {
    expectError(await api().call('GET', `projects/${UNKNOWN}/`), 404);
    expectError(await api().call('GET', 'projects/not-an-id/'), 404);
    expectError(await api().call('GET', `projects/${projectId}/models/${UNKNOWN}/`), 404);
    expectError(await api().call('GET', `projects/${projectId}/`, undefined, { key: null }), 401);
  });

  it('refuses a project from an unknown or unfinished model package, and a model for another target', async () => {
    expectError(await api().call('POST', 'projects/fromModelPackage/', { modelPackageId: UNKNOWN }), 404);
    const bad = await api().call('POST', 'projects/fromModelPackage/', { modelPackageId: 'x' });
    expectError(bad, 422);
    expect(bad.body.errors).toHaveProperty('modelPackageId');
    const pending = await api().call('POST', 'modelPackages/fromOnnx/', {
      name: 'p',
      manifest: { targetName: 'y' },
    });
    expectError(
      await api().call('POST', 'projects/fromModelPackage/', { modelPackageId: pending.body.id }),
      422,
    );
    const other = await registerModel(api(), regressor, 'price');
    const added = await api().call('POST', `projects/${projectId}/models/fromModelPackage/`, {
      modelPackageId: other,
    });
    expectError(added, 422);
    expect(String(added.body.message)).toMatch(/target "price".*target "churn"/);
  });

  it('refuses to delete a model package a project uses (409), as for a deployment, until the project is gone', async () => {
    const model = await registerModel(api(), regressor, 'price');
    const project = await createProject(api(), model);
    const refused = await api().call('DELETE', `modelPackages/${model}/`);
    expectError(refused, 409);
    expect(String(refused.body.message)).toContain(`model of project(s) ${project}`);
    expect((await api().call('GET', `projects/${project}/models/${model}/`)).status).toBe(200);
    expect((await api().call('DELETE', `projects/${project}/`)).status).toBe(204);
    expect((await api().call('DELETE', `modelPackages/${model}/`)).status).toBe(204);
  });
});

describe('prediction datasets', () => {
  it('refuses uploads that are not a form with a CSV file part', async () => {
    const path = `projects/${projectId}/predictionDatasets/fileUploads/`;
    expectError(await api().call('POST', path, { file: 'x' }), 415);
    expectError(await postForm(api(), path, null, { other: 'x' }), 422);
    const empty = await postForm(api(), path, { name: 'e.csv', content: 'a,b\n' });
    expectError(empty, 422);
    expect(String(empty.body.message)).toMatch(/no data rows/);
    const unknownPart = await postForm(
      api(),
      path,
      { name: 'p.csv', content: 'a,b\n1,2\n' },
      { colour: 'red' },
    );
    expectError(unknownPart, 422);
    expect(unknownPart.body.errors).toHaveProperty('colour');
    const timeSeries = await postForm(
      api(),
      path,
      { name: 'p.csv', content: 'a,b\n1,2\n' },
      { forecastPoint: '2020-01-01' },
    );
    expectError(timeSeries, 422);
    expectError(
      await postForm(api(), `projects/${UNKNOWN}/predictionDatasets/fileUploads/`, {
        name: 'p.csv',
        content: 'a\n1\n',
      }),
      404,
    );
  });

  it('answers non-s3 URLs "not supported yet", an unreadable object 422, an unknown data source 404', async () => {
    const path = `projects/${projectId}/predictionDatasets/urlUploads/`;
    const http = await api().call('POST', path, { url: 'https://example.com/x.csv' });
    expectError(http, 422);
    expect(String(http.body.message)).toMatch(/not supported yet/);
    const missing = await api().call('POST', path, { url: 's3://no-such-bucket/x.csv' });
    expectError(missing, 422);
    expect(String(missing.body.message)).toMatch(/no-such-bucket/);
    const source = await api().call('POST', `projects/${projectId}/predictionDatasets/dataSourceUploads/`, {
      dataSourceId: 'd',
    });
    // Data source uploads are covered in data-source-upload.test.ts.
    expectError(source, 404);
  });

  it('answers unknown datasets 404', async () => {
    expectError(await api().call('GET', `projects/${projectId}/predictionDatasets/${UNKNOWN}/`), 404);
    expectError(await api().call('DELETE', `projects/${projectId}/predictionDatasets/${UNKNOWN}/`), 404);
    expectError(await api().call('GET', `projects/${projectId}/predictionDatasetUploads/${UNKNOWN}/`), 404);
  });
});

describe('predict requests', () => {
  const predict = (body: Record<string, unknown>, project = projectId) =>
    api().call('POST', `projects/${project}/predictions/`, body);

  it('answers unknown project, model or dataset ids 404 and malformed ones 422 naming the field', async () => {
    expectError(await predict({ modelId, datasetId }, UNKNOWN), 404);
    expectError(await predict({ modelId: UNKNOWN, datasetId }), 404);
    expectError(await predict({ modelId, datasetId: UNKNOWN }), 404);
    const malformed = await predict({ modelId: 'abc', datasetId });
    expectError(malformed, 422);
    expect(malformed.body.errors).toHaveProperty('modelId');
  });

  it('refuses a dataset that lacks a column the model reads, naming the column', async () => {
    const partial = await uploadDataset(api(), projectId, 'id,a\n1,0.5\n');
    const res = await predict({ modelId, datasetId: partial });
    expectError(res, 422);
    expect(res.body.errors).toHaveProperty('datasetId');
    expect(String(res.body.message)).toMatch(/missing a feature the model needs: b$/);
  });

  it('refuses what is not supported yet (prediction intervals, time series, explanations)', async () => {
    expectError(await predict({ modelId, datasetId, includePredictionIntervals: true }), 422);
    expectError(await predict({ modelId, datasetId, forecastPoint: '2020-01-01T00:00:00' }), 422);
    expectError(await predict({ modelId, datasetId, explanationAlgorithm: 'shap', maxExplanations: 3 }), 422);
    // The deprecated PredictJob.create posts the file itself, with a modelId part.
    const posted = await postForm(
      api(),
      `projects/${projectId}/predictions/`,
      { name: 'p.csv', content: dataset(2, 1) },
      { modelId },
    );
    expectError(posted, 422);
    expect(String(posted.body.message)).toMatch(/upload_dataset/);
  });

  it('answers unknown jobs and predictions 404', async () => {
    expectError(await api().call('GET', `projects/${projectId}/predictJobs/999999/`), 404);
    const status = await api().call('GET', `projects/${projectId}/predictJobs/?status=RUNNING`);
    expectError(status, 422);
    expect(status.body.errors).toHaveProperty('status');
    expectError(await api().call('GET', `projects/${projectId}/predictJobs/5f00aa/`), 404);
    expectError(await api().call('DELETE', `projects/${projectId}/predictJobs/999999/`), 404);
    expectError(await api().call('GET', `projects/${projectId}/jobs/0/`), 404);
    expectError(await api().call('GET', `projects/${projectId}/predictions/${UNKNOWN}/`), 404);
    expectError(await api().call('GET', `projects/${projectId}/predictionsMetadata/${UNKNOWN}/`), 404);
    expectError(await api().call('GET', `projects/${projectId}/trainingPredictions/${UNKNOWN}/`), 404);
  });
});
