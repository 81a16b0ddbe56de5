import { ValidationError } from '../shared/domain/errors.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { type ApiRequest, jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { type ApiResponse, empty, json } from '../shared/http/api-response.js';
import { formData } from '../shared/http/form-data.js';
import { resourceRoutes } from '../shared/http/resource-routes.js';
import type { Route } from '../shared/http/router.js';
import {
  addDatasetVersionFromUrl,
  createDatasetFromUrl,
} from '../shared/use-cases/datasets/dataset-from-url.js';
import {
  addDatasetVersion,
  createDataset,
  type DatasetView,
  deleteDataset,
  getDataset,
  getDatasetVersion,
  listDatasets,
  listDatasetVersions,
  updateDataset,
  type VersionSource,
} from '../shared/use-cases/datasets/manage-datasets.js';
import { getDeps, logUnexpected } from './composition.js';

/**
 * A dataset as DataRobot's client reads it (`Dataset`): every field it requires, for one version. Versions are
 * stored whole before they are recorded, so processing is always COMPLETED and every version is a snapshot.
 */
function datasetDocument({ dataset, version }: DatasetView): Record<string, unknown> {
  return {
    datasetId: dataset.id,
    versionId: version.id,
    name: dataset.name,
    categories: dataset.categories,
    creationDate: version.created,
    createdBy: dataset.ownerId,
    isDataEngineEligible: false,
    isLatestVersion: version.id === dataset.latestVersionId,
    isSnapshot: true,
    processingState: 'COMPLETED',
    dataPersisted: true,
    datasetSize: version.sizeBytes,
    rowCount: version.rowCount,
    columnCount: version.columnCount,
    uri: version.source === 'file' ? version.fileName : version.source,
    format: version.format,
  };
}

/**
 * The version is complete when the POST answers, so its status resource (DataRobot's asynchronous pattern: 202 +
 * Location, then the client polls it) is already done and redirects to the version.
 */
function created(req: ApiRequest, { dataset, version }: DatasetView): ApiResponse {
  const status = `${req.baseUrl}/datasets/${dataset.id}/versions/${version.id}/status/`;
  return json(202, { statusId: version.id }, { Location: status });
}

/** The `file` part of a multipart upload (DataRobot's client sends exactly one). */
async function uploadedFile(req: ApiRequest): Promise<VersionSource> {
  const file = (await formData(req)).files.get('file');
  if (!file)
    throw new ValidationError([{ field: 'file', message: 'required: a multipart part named "file"' }]);
  return { fileName: file.fileName, origin: 'file', body: file.bytes };
}

function page(req: ApiRequest, views: DatasetView[]) {
  const window = pageOf(req);
  const items = views.slice(window.offset, window.offset + window.limit).map(datasetDocument);
  return json(200, pageEnvelope(req, items, views.length, window));
}

/** The dataset catalog (DataRobot's `datasets/`): upload, versions, read, rename, delete. */
export const routes: Route[] = [
  {
    method: 'POST',
    path: '/datasets/fromFile',
    handle: async (req) =>
      created(req, await createDataset(await getDeps(), req.caller.ownerId, await uploadedFile(req))),
  },
  {
    method: 'POST',
    path: '/datasets/fromURL',
    handle: async (req) =>
      created(req, await createDatasetFromUrl(await getDeps(), req.caller.ownerId, jsonBody(req))),
  },
  {
    method: 'GET',
    path: '/datasets',
    handle: async (req) => {
      const category = req.query.category?.[0];
      const views = await listDatasets(await getDeps(), req.caller.ownerId);
      return page(req, category ? views.filter((v) => v.dataset.categories.includes(category)) : views);
    },
  },
  ...resourceRoutes('/datasets', getDeps, datasetDocument, {
    get: getDataset,
    update: updateDataset,
    remove: deleteDataset,
  }),
  {
    method: 'GET',
    path: '/datasets/{id}/versions',
    handle: async (req) =>
      page(req, await listDatasetVersions(await getDeps(), req.caller.ownerId, req.params.id as string)),
  },
  {
    method: 'POST',
    path: '/datasets/{id}/versions/fromFile',
    handle: async (req) => {
      const deps = await getDeps();
      const source = await uploadedFile(req);
      return created(req, await addDatasetVersion(deps, req.caller.ownerId, req.params.id as string, source));
    },
  },
  {
    method: 'POST',
    path: '/datasets/{id}/versions/fromURL',
    handle: async (req) => {
      const deps = await getDeps();
      const view = await addDatasetVersionFromUrl(
        deps,
        req.caller.ownerId,
        req.params.id as string,
        jsonBody(req),
      );
      return created(req, view);
    },
  },
  {
    method: 'GET',
    path: '/datasets/{id}/versions/{versionId}',
    handle: async (req) => {
      const deps = await getDeps();
      const { id, versionId } = req.params as { id: string; versionId: string };
      return json(200, datasetDocument(await getDatasetVersion(deps, req.caller.ownerId, id, versionId)));
    },
  },
  {
    method: 'GET',
    path: '/datasets/{id}/versions/{versionId}/status',
    handle: async (req) => {
      const deps = await getDeps();
      const { id, versionId } = req.params as { id: string; versionId: string };
      const { dataset, version } = await getDatasetVersion(deps, req.caller.ownerId, id, versionId);
      return empty(303, { Location: `${req.baseUrl}/datasets/${dataset.id}/versions/${version.id}/` });
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
