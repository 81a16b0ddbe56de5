import { apiHandler } from '../shared/http/api-handler.js';
import { pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { json } from '../shared/http/api-response.js';
import { credentialDocument } from '../shared/http/presenters/credential.js';
import { resourceRoutes } from '../shared/http/resource-routes.js';
import type { Route } from '../shared/http/router.js';
import {
  createCredential,
  deleteCredential,
  getCredential,
  listCredentials,
} from '../shared/use-cases/credentials/manage-credentials.js';
import { getDeps, logUnexpected } from './composition.js';

/** Stored credentials (DataRobot's `credentials/`): create, list, get and delete; secrets are never returned. */
export const routes: Route[] = [
  {
    method: 'GET',
    path: '/credentials',
    handle: async (req) => {
      const page = pageOf(req);
      // DataRobot takes `types` repeated or comma-separated.
      const types = (req.query.types ?? []).flatMap((t) => t.split(',')).filter(Boolean);
      const result = await listCredentials(await getDeps(), req.caller.ownerId, { ...page, types });
      return json(200, pageEnvelope(req, result.items.map(credentialDocument), result.totalCount, page));
    },
  },
  ...resourceRoutes('/credentials', getDeps, credentialDocument, {
    create: createCredential,
    get: getCredential,
    remove: deleteCredential,
  }),
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
