import { apiHandler } from '../shared/http/api-handler.js';
import { jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { empty, json } from '../shared/http/api-response.js';
import { modelPackageDocument } from '../shared/http/presenters/resources.js';
import type { Route } from '../shared/http/router.js';
import { deleteModelPackage } from '../shared/use-cases/model-packages/delete-model-package.js';
import { finalizeModelUpload } from '../shared/use-cases/model-packages/finalize-model-upload.js';
import {
  getModelPackage,
  listModelPackages,
} from '../shared/use-cases/model-packages/query-model-packages.js';
import { startModelUpload } from '../shared/use-cases/model-packages/start-model-upload.js';
import {
  getTrainingDataSummary,
  startTrainingDataUpload,
} from '../shared/use-cases/model-packages/training-data.js';
import { getDeps, logUnexpected } from './composition.js';

/**
 * Model packages (our extension): register an ONNX model, upload it (and optionally a training CSV for the
 * explanation background) through presigned URLs, validate it.
 */
export const routes: Route[] = [
  {
    method: 'POST',
    path: '/modelPackages/fromOnnx',
    handle: async (req) => {
      const started = await startModelUpload(await getDeps(), req.caller.ownerId, jsonBody(req) as never);
      return json(201, modelPackageDocument(started.record, started.uploadUrl), {
        Location: `${req.baseUrl}/modelPackages/${started.record.id}/`,
      });
    },
  },
  {
    method: 'POST',
    path: '/modelPackages/{id}/finalize',
    handle: async (req) => {
      const record = await finalizeModelUpload(await getDeps(), req.caller.ownerId, req.params.id as string);
      return json(200, modelPackageDocument(record));
    },
  },
  {
    method: 'POST',
    path: '/modelPackages/{id}/trainingData',
    handle: async (req) => {
      const id = req.params.id as string;
      const uploadUrl = await startTrainingDataUpload(await getDeps(), req.caller.ownerId, id);
      return json(201, { modelPackageId: id, links: { upload: uploadUrl } });
    },
  },
  {
    method: 'GET',
    path: '/modelPackages/{id}/trainingData',
    handle: async (req) =>
      json(200, await getTrainingDataSummary(await getDeps(), req.caller.ownerId, req.params.id as string)),
  },
  {
    method: 'GET',
    path: '/modelPackages',
    handle: async (req) => {
      const page = pageOf(req);
      const result = await listModelPackages(await getDeps(), req.caller.ownerId, page);
      return json(
        200,
        pageEnvelope(
          req,
          result.items.map((p) => modelPackageDocument(p)),
          result.totalCount,
          page,
        ),
      );
    },
  },
  {
    method: 'GET',
    path: '/modelPackages/{id}',
    handle: async (req) => {
      return json(
        200,
        modelPackageDocument(
          await getModelPackage(await getDeps(), req.caller.ownerId, req.params.id as string),
        ),
      );
    },
  },
  {
    method: 'DELETE',
    path: '/modelPackages/{id}',
    handle: async (req) => {
      await deleteModelPackage(await getDeps(), req.caller.ownerId, req.params.id as string);
      return empty(204);
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
