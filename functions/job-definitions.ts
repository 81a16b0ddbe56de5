import type { JobDefinitionRecord } from '../shared/domain/job-definition.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { json } from '../shared/http/api-response.js';
import { jobDefinitionDocument } from '../shared/http/presenters/job-definition.js';
import { resourceRoutes } from '../shared/http/resource-routes.js';
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

async function document(definition: JobDefinitionRecord, deps: Deps): Promise<Record<string, unknown>> {
  return jobDefinitionDocument(await viewDefinition(deps, definition));
}

/** DataRobot's job definition routes (`batchPredictionJobDefinitions/`); runs start at fromJobDefinition. */
export const routes: Route[] = [
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
      const items = await Promise.all(result.items.map((d) => document(d, deps)));
      return json(200, pageEnvelope(req, items, result.totalCount, page));
    },
  },
  ...resourceRoutes(
    '/batchPredictionJobDefinitions',
    getDeps,
    document,
    { create: createDefinition, get: getDefinition, update: updateDefinition, remove: deleteDefinition },
    202,
  ),
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
