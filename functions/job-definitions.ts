import type { JobDefinitionRecord } from '../shared/domain/job-definition.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { type ApiRequest, jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { empty, json } from '../shared/http/api-response.js';
import { jobDefinitionDocument } from '../shared/http/presenters/job-definition.js';
import type { Route } from '../shared/http/router.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { viewDefinition } from '../shared/use-cases/job-definitions/definition-view.js';
import {
  createDefinition,
  deleteDefinition,
  getDefinition,
  listDefinitions,
  updateDefinition,
} from '../shared/use-cases/job-definitions/manage-definitions.js';
import { getDeps, logUnexpected } from './composition.js';

async function document(deps: Deps, definition: JobDefinitionRecord): Promise<Record<string, unknown>> {
  return jobDefinitionDocument(await viewDefinition(deps, definition));
}

function idOf(req: ApiRequest): string {
  return req.params.id as string;
}

/** DataRobot's job definition routes (`batchPredictionJobDefinitions/`); runs start at fromJobDefinition. */
export const routes: Route[] = [
  {
    method: 'POST',
    path: '/batchPredictionJobDefinitions',
    handle: async (req) => {
      const deps = await getDeps();
      const created = await createDefinition(deps, req.caller.ownerId, jsonBody(req));
      return json(202, await document(deps, created), {
        Location: `${req.baseUrl}/batchPredictionJobDefinitions/${created.id}/`,
      });
    },
  },
  {
    method: 'GET',
    path: '/batchPredictionJobDefinitions',
    handle: async (req) => {
      const deps = await getDeps();
      const page = pageOf(req);
      const result = await listDefinitions(deps, req.caller.ownerId, {
        ...page,
        searchName: req.query.searchName?.[0],
        deploymentId: req.query.deploymentId?.[0],
      });
      const items = await Promise.all(result.items.map((d) => document(deps, d)));
      return json(200, pageEnvelope(req, items, result.totalCount, page));
    },
  },
  {
    method: 'GET',
    path: '/batchPredictionJobDefinitions/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      return json(200, await document(deps, await getDefinition(deps, req.caller.ownerId, idOf(req))));
    },
  },
  {
    method: 'PATCH',
    path: '/batchPredictionJobDefinitions/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      const updated = await updateDefinition(deps, req.caller.ownerId, idOf(req), jsonBody(req));
      return json(200, await document(deps, updated));
    },
  },
  {
    method: 'DELETE',
    path: '/batchPredictionJobDefinitions/{id}',
    handle: async (req) => {
      await deleteDefinition(await getDeps(), req.caller.ownerId, idOf(req));
      return empty(204);
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
