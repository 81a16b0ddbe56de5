import type { DeploymentRecord } from '../shared/domain/deployment.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { type ApiRequest, jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { empty, json } from '../shared/http/api-response.js';
import { deploymentDocument } from '../shared/http/presenters/resources.js';
import { CreateDeploymentFromModelSchema, ReplaceModelSchema } from '../shared/http/request-schemas.js';
import type { Route } from '../shared/http/router.js';
import { createDeployment } from '../shared/use-cases/deployments/create-deployment.js';
import { deleteDeployment } from '../shared/use-cases/deployments/delete-deployment.js';
import { getDeployment, listDeployments } from '../shared/use-cases/deployments/query-deployments.js';
import { replaceDeploymentModel } from '../shared/use-cases/deployments/replace-deployment-model.js';
import { updateDeployment } from '../shared/use-cases/deployments/update-deployment.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { parseRequest } from '../shared/use-cases/parse-request.js';
import { getDeps, logUnexpected } from './composition.js';
import { finishedStatus, monitoringRoutes } from './deployment-monitoring-routes.js';

async function document(deps: Deps, d: DeploymentRecord): Promise<Record<string, unknown>> {
  return deploymentDocument(d, await deps.modelPackages.getById(d.modelPackageId));
}

async function created(req: ApiRequest, deps: Deps, d: DeploymentRecord) {
  return json(201, await document(deps, d), { Location: `${req.baseUrl}/deployments/${d.id}/` });
}

/** Deployments, their settings and model replacement (DataRobot routes), plus the status resource they use. */
export const routes: Route[] = [
  {
    method: 'POST',
    path: '/deployments/fromModelPackage',
    handle: async (req) => {
      const deps = await getDeps();
      return created(req, deps, await createDeployment(deps, req.caller.ownerId, jsonBody(req) as never));
    },
  },
  {
    method: 'POST',
    path: '/deployments/fromLearningModel',
    handle: async (req) => {
      const deps = await getDeps();
      const body = parseRequest(CreateDeploymentFromModelSchema, jsonBody(req));
      const input = {
        modelPackageId: body.modelId,
        label: body.label,
        description: body.description ?? null,
      };
      return created(req, deps, await createDeployment(deps, req.caller.ownerId, input));
    },
  },
  {
    method: 'GET',
    path: '/deployments',
    handle: async (req) => {
      const deps = await getDeps();
      const page = pageOf(req);
      const query = { ...page, search: req.query.search?.[0], orderBy: req.query.orderBy?.[0] };
      const result = await listDeployments(deps, req.caller.ownerId, query);
      const items = await Promise.all(result.items.map((d) => document(deps, d)));
      return json(200, pageEnvelope(req, items, result.totalCount, page));
    },
  },
  {
    method: 'GET',
    path: '/deployments/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      return json(
        200,
        await document(deps, await getDeployment(deps, req.caller.ownerId, req.params.id as string)),
      );
    },
  },
  {
    method: 'PATCH',
    path: '/deployments/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      const updated = await updateDeployment(
        deps,
        req.caller.ownerId,
        req.params.id as string,
        jsonBody(req) as never,
      );
      return json(200, await document(deps, updated));
    },
  },
  {
    method: 'DELETE',
    path: '/deployments/{id}',
    handle: async (req) => {
      await deleteDeployment(await getDeps(), req.caller.ownerId, req.params.id as string);
      return empty(204);
    },
  },
  {
    method: 'PATCH',
    path: '/deployments/{id}/model',
    handle: async (req) => {
      const deps = await getDeps();
      const { modelId } = parseRequest(ReplaceModelSchema, jsonBody(req));
      const updated = await replaceDeploymentModel(
        deps,
        req.caller.ownerId,
        req.params.id as string,
        modelId,
      );
      return finishedStatus(req, updated.id);
    },
  },
  ...monitoringRoutes,
  {
    method: 'GET',
    path: '/status/{id}',
    handle: async (req) => {
      const deployment = await getDeployment(await getDeps(), req.caller.ownerId, req.params.id as string);
      return empty(303, { Location: `${req.baseUrl}/deployments/${deployment.id}/` });
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
