/**
 * DataRobot's modeling-side prediction API (seed 000; protocol predict-and-monitoring §1): projects and models,
 * prediction datasets, predict jobs and predictions, training predictions. Creating projects from model packages
 * and uploading training data are Batchline's extensions.
 */
import { NotSupportedError } from '../shared/domain/errors.js';
import {
  JobAlreadyAddedError,
  type ProjectJobKind,
  type ProjectJobRecord,
} from '../shared/domain/predict-job.js';
import type { PredictionDatasetRecord } from '../shared/domain/prediction-dataset.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { type ApiRequest, jsonBody, pageOf } from '../shared/http/api-request.js';
import { type ApiResponse, empty, json } from '../shared/http/api-response.js';
import { formData } from '../shared/http/form-data.js';
import { HttpError } from '../shared/http/http-errors.js';
import {
  modelDocument,
  predictionDatasetDocument,
  projectDocument,
  projectJobDocument,
  projectJobResultUrl,
  projectJobUrl,
} from '../shared/http/presenters/project.js';
import {
  predictionsCsv,
  predictionsDocument,
  predictionsMetadataDocument,
  trainingPredictionsCsv,
  trainingPredictionsItem,
  trainingRowsPage,
} from '../shared/http/presenters/project-results.js';
import type { Route } from '../shared/http/router.js';
import type { Deps } from '../shared/use-cases/deps.js';
import {
  awaitProjectJob,
  cancelProjectJob,
  listProjectJobs,
  type ProjectJobView,
  requireProjectJob,
  viewProjectJob,
} from '../shared/use-cases/predict-jobs/project-jobs.js';
import { requestPredictions } from '../shared/use-cases/predict-jobs/request-predictions.js';
import {
  listResults,
  readPredictions,
  readTrainingPredictions,
  requireResult,
} from '../shared/use-cases/predict-jobs/results.js';
import { requestTrainingPredictions } from '../shared/use-cases/predict-jobs/training-predictions.js';
import { uploadPredictionDatasetFromDataSource } from '../shared/use-cases/projects/data-source-upload.js';
import {
  deletePredictionDataset,
  getPredictionDataset,
  listPredictionDatasets,
  type UploadedFile,
  uploadPredictionDataset,
  uploadPredictionDatasetFromUrl,
  uploadTrainingData,
} from '../shared/use-cases/projects/datasets.js';
import { deleteProject } from '../shared/use-cases/projects/delete-project.js';
import {
  addModel,
  createProject,
  getProject,
  listModels,
  listProjects,
  requireModel,
} from '../shared/use-cases/projects/projects.js';
import { getDeps, logUnexpected } from './composition.js';

/**
 * How long a request that starts a job waits for it to finish before answering (below API Gateway's 29 s), so
 * that small jobs are done when the client first polls and it never sleeps its 5 s.
 */
const SETTLE_MS = 20_000;

/**
 * Largest response this module sends: Lambda refuses a synchronous result over 6 MiB, counted as the JSON it
 * serializes (body escaped, plus status and headers, for which 64 KiB are kept).
 */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** What every route works with: the request, the dependencies, the caller and the project id of the path. */
interface Call {
  readonly req: ApiRequest;
  readonly deps: Deps;
  readonly ownerId: string;
  readonly projectId: string;
}

function route(method: string, path: string, handle: (call: Call) => Promise<ApiResponse>): Route {
  return {
    method,
    path,
    handle: async (req) =>
      handle({ req, deps: await getDeps(), ownerId: req.caller.ownerId, projectId: req.params.id as string }),
  };
}

/** A path parameter that must be a 24-hex id; anything else names nothing (404). */
function hexParam(req: ApiRequest, name: string): string {
  const value = req.params[name] ?? '';
  if (!/^[0-9a-f]{24}$/.test(value))
    throw new HttpError(404, `no resource ${value.slice(0, 64)} at ${req.path}/`);
  return value;
}

function wantsCsv(req: ApiRequest): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('text/csv');
}

/**
 * A result (predictions, training predictions) as JSON or, for `Accept: text/csv`, CSV; refused with a 422
 * saying what to do instead when it exceeds {@link MAX_RESPONSE_BYTES}, rather than failing in Lambda.
 */
function result(req: ApiRequest, asJson: () => unknown, asCsv: () => Buffer, smaller: string): ApiResponse {
  const response = wantsCsv(req)
    ? { statusCode: 200, headers: { 'Content-Type': 'text/csv' }, body: asCsv().toString('utf8') }
    : json(200, asJson());
  const bytes = Buffer.byteLength(JSON.stringify(response.body));
  if (bytes > MAX_RESPONSE_BYTES) {
    throw new HttpError(
      422,
      `this result is ${bytes} bytes as ${wantsCsv(req) ? 'CSV' : 'JSON'}, more than the ${MAX_RESPONSE_BYTES} one response can carry; ${smaller}`,
    );
  }
  return response;
}

/** DataRobot's list envelope for lists the client reads in one piece. */
function whole(items: unknown[]) {
  return { count: items.length, totalCount: items.length, next: null, previous: null, data: items };
}

/** A project job: 200 while it works or after it failed; once done, 303 to its result, with the job as body. */
function jobResponse(req: ApiRequest, view: ProjectJobView): ApiResponse {
  const body = projectJobDocument(req.baseUrl, view);
  if (view.status !== 'COMPLETED') return json(200, body);
  return json(303, body, { Location: projectJobResultUrl(req.baseUrl, view) });
}

/** 202 with the job's URL, after waiting for a small job to finish. */
async function started({ req, deps }: Call, record: ProjectJobRecord): Promise<ApiResponse> {
  const view = await awaitProjectJob(deps, record, SETTLE_MS);
  return json(202, projectJobDocument(req.baseUrl, view), { Location: projectJobUrl(req.baseUrl, view) });
}

/** 202 for a dataset upload; it is finished already, so its status URL answers 303 to it on the first poll. */
function uploaded(req: ApiRequest, dataset: PredictionDatasetRecord): ApiResponse {
  return json(
    202,
    {},
    { Location: `${req.baseUrl}/projects/${dataset.projectId}/predictionDatasetUploads/${dataset.id}/` },
  );
}

/** The form's `file` part; 422 naming what the file was for when there is none. */
async function formWithFile(req: ApiRequest, holding: string) {
  const form = await formData(req);
  const file: UploadedFile | undefined = form.files.get('file');
  if (!file) throw new HttpError(422, `the form has no "file" part holding the ${holding}`);
  return { file, fields: form.fields };
}

/** The job of the path (`{jobId}`), of `kind` when given. */
function pathJob({ req, deps, ownerId, projectId }: Call, kind?: ProjectJobKind) {
  return requireProjectJob(deps, ownerId, projectId, req.params.jobId as string, kind);
}

function jobRoutes(collection: string, kind?: ProjectJobKind): Route[] {
  return [
    route('GET', `/projects/{id}/${collection}/{jobId}`, async (call) =>
      jobResponse(call.req, await viewProjectJob(call.deps, await pathJob(call, kind))),
    ),
    route('DELETE', `/projects/{id}/${collection}/{jobId}`, async (call) => {
      await cancelProjectJob(call.deps, await pathJob(call, kind));
      return empty(204);
    }),
  ];
}

export const routes: Route[] = [
  route('POST', '/projects/fromModelPackage', async ({ req, deps, ownerId }) => {
    const project = await createProject(deps, ownerId, jsonBody(req));
    return json(201, projectDocument(project), { Location: `${req.baseUrl}/projects/${project.id}/` });
  }),
  route('GET', '/projects', async ({ deps, ownerId }) =>
    json(200, (await listProjects(deps, ownerId)).map(projectDocument)),
  ),
  route('GET', '/projects/{id}', async ({ deps, ownerId, projectId }) =>
    json(200, projectDocument(await getProject(deps, ownerId, projectId))),
  ),
  route('DELETE', '/projects/{id}', async ({ deps, ownerId, projectId }) => {
    await deleteProject(deps, ownerId, projectId);
    return empty(204);
  }),
  route('GET', '/projects/{id}/models', async ({ deps, ownerId, projectId }) => {
    const project = await getProject(deps, ownerId, projectId);
    return json(
      200,
      (await listModels(deps, project)).map((m) => modelDocument(project, m)),
    );
  }),
  route('POST', '/projects/{id}/models/fromModelPackage', async ({ req, deps, ownerId, projectId }) => {
    const model = await addModel(deps, ownerId, projectId, jsonBody(req));
    const project = await getProject(deps, ownerId, projectId);
    return json(201, modelDocument(project, model), {
      Location: `${req.baseUrl}/projects/${project.id}/models/${model.id}/`,
    });
  }),
  route('GET', '/projects/{id}/models/{modelId}', async ({ req, deps, ownerId, projectId }) => {
    const project = await getProject(deps, ownerId, projectId);
    return json(200, modelDocument(project, await requireModel(deps, project, hexParam(req, 'modelId'))));
  }),
  route('POST', '/projects/{id}/trainingDataset/fileUploads', async ({ req, deps, ownerId, projectId }) => {
    const { file, fields } = await formWithFile(req, 'training dataset');
    const partitionColumn = fields.partitionColumn || null;
    return json(
      201,
      projectDocument(await uploadTrainingData(deps, ownerId, projectId, file, partitionColumn)),
    );
  }),
  route(
    'POST',
    '/projects/{id}/predictionDatasets/fileUploads',
    async ({ req, deps, ownerId, projectId }) => {
      const { file, fields } = await formWithFile(req, 'prediction dataset');
      return uploaded(req, await uploadPredictionDataset(deps, ownerId, projectId, file, fields));
    },
  ),
  route('POST', '/projects/{id}/predictionDatasets/urlUploads', async ({ req, deps, ownerId, projectId }) =>
    uploaded(req, await uploadPredictionDatasetFromUrl(deps, ownerId, projectId, jsonBody(req))),
  ),
  route(
    'POST',
    '/projects/{id}/predictionDatasets/dataSourceUploads',
    async ({ req, deps, ownerId, projectId }) =>
      uploaded(req, await uploadPredictionDatasetFromDataSource(deps, ownerId, projectId, jsonBody(req))),
  ),
  route(
    'GET',
    '/projects/{id}/predictionDatasetUploads/{datasetId}',
    async ({ req, deps, ownerId, projectId }) => {
      const dataset = await getPredictionDataset(deps, ownerId, projectId, hexParam(req, 'datasetId'));
      return empty(303, {
        Location: `${req.baseUrl}/projects/${dataset.projectId}/predictionDatasets/${dataset.id}/`,
      });
    },
  ),
  route('GET', '/projects/{id}/predictionDatasets', async ({ deps, ownerId, projectId }) => {
    const project = await getProject(deps, ownerId, projectId);
    const datasets = await listPredictionDatasets(deps, ownerId, project.id);
    return json(200, whole(datasets.map((d) => predictionDatasetDocument(project, d))));
  }),
  route('GET', '/projects/{id}/predictionDatasets/{datasetId}', async ({ req, deps, ownerId, projectId }) => {
    const project = await getProject(deps, ownerId, projectId);
    const dataset = await getPredictionDataset(deps, ownerId, project.id, hexParam(req, 'datasetId'));
    return json(200, predictionDatasetDocument(project, dataset));
  }),
  route(
    'DELETE',
    '/projects/{id}/predictionDatasets/{datasetId}',
    async ({ req, deps, ownerId, projectId }) => {
      await deletePredictionDataset(deps, ownerId, projectId, hexParam(req, 'datasetId'));
      return empty(204);
    },
  ),
  route('POST', '/projects/{id}/predictions', async (call) => {
    if (/^multipart\/form-data/i.test(call.req.headers['content-type'] ?? '')) {
      throw new NotSupportedError(
        'file',
        'posting a file to predictions/ (the deprecated PredictJob.create) is not supported: upload it with Project.upload_dataset, then call Model.request_predictions with the dataset id',
      );
    }
    return started(
      call,
      await requestPredictions(call.deps, call.ownerId, call.projectId, jsonBody(call.req)),
    );
  }),
  route('GET', '/projects/{id}/predictJobs', async ({ req, deps, ownerId, projectId }) => {
    const views = await listProjectJobs(deps, ownerId, projectId, 'predict', req.query.status ?? []);
    // The client reads a bare array here, not DataRobot's usual envelope.
    return json(
      200,
      views.map((v) => projectJobDocument(req.baseUrl, v)),
    );
  }),
  ...jobRoutes('predictJobs', 'predict'),
  ...jobRoutes('jobs'),
  route('GET', '/projects/{id}/predictions/{predictionId}', async ({ req, deps, ownerId, projectId }) => {
    const rows = await readPredictions(deps, ownerId, projectId, hexParam(req, 'predictionId'));
    return result(
      req,
      () => predictionsDocument(rows),
      () => predictionsCsv(rows),
      'ask for Accept: text/csv (about a third of the size), or score datasets this large with a batch prediction job',
    );
  }),
  route('GET', '/projects/{id}/predictionsMetadata', async ({ req, deps, ownerId, projectId }) => {
    const filter = { modelId: req.query.modelId?.[0], datasetId: req.query.predictionDatasetId?.[0] };
    const jobs = await listResults(deps, ownerId, projectId, 'predict', filter);
    return json(200, whole(jobs.map((job) => predictionsMetadataDocument(req.baseUrl, job))));
  }),
  route(
    'GET',
    '/projects/{id}/predictionsMetadata/{predictionId}',
    async ({ req, deps, ownerId, projectId }) => {
      const job = await requireResult(deps, ownerId, projectId, 'predict', hexParam(req, 'predictionId'));
      return json(200, predictionsMetadataDocument(req.baseUrl, job));
    },
  ),
  route('POST', '/projects/{id}/trainingPredictions', async (call) => {
    try {
      return await started(
        call,
        await requestTrainingPredictions(call.deps, call.ownerId, call.projectId, jsonBody(call.req)),
      );
    } catch (error) {
      // DataRobot's answer, which the client raises as JobAlreadyRequested.
      if (error instanceof JobAlreadyAddedError) {
        return json(422, { message: error.message, errorName: error.errorName });
      }
      throw error;
    }
  }),
  route('GET', '/projects/{id}/trainingPredictions', async ({ req, deps, ownerId, projectId }) => {
    const jobs = await listResults(deps, ownerId, projectId, 'trainingPredictions');
    return json(200, whole(jobs.map((job) => trainingPredictionsItem(req.baseUrl, job))));
  }),
  route(
    'GET',
    '/projects/{id}/trainingPredictions/{predictionId}',
    async ({ req, deps, ownerId, projectId }) => {
      const rows = await readTrainingPredictions(deps, ownerId, projectId, hexParam(req, 'predictionId'));
      const limited = req.query.limit?.[0] !== undefined;
      const page = pageOf(req, 1000);
      return result(
        req,
        () =>
          trainingRowsPage(rows, `${req.baseUrl}${req.path}/`, {
            offset: page.offset,
            limit: limited ? page.limit : null,
          }),
        () => trainingPredictionsCsv(rows),
        'page through the rows with ?limit= (the client: iterate_rows(batch_size=1000)), or ask for Accept: text/csv',
      );
    },
  ),
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
