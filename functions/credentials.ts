import { apiHandler } from '../shared/http/api-handler.js';
import { jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { empty, json } from '../shared/http/api-response.js';
import { credentialDocument } from '../shared/http/presenters/credential.js';
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
    method: 'POST',
    path: '/credentials',
    handle: async (req) => {
      const record = await createCredential(await getDeps(), req.caller.ownerId, jsonBody(req));
      return json(201, credentialDocument(record), {
        Location: `${req.baseUrl}/credentials/${record.id}/`,
      });
    },
  },
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
  {
    method: 'GET',
    path: '/credentials/{id}',
    handle: async (req) =>
      json(
        200,
        credentialDocument(await getCredential(await getDeps(), req.caller.ownerId, req.params.id as string)),
      ),
  },
  {
    method: 'DELETE',
    path: '/credentials/{id}',
    handle: async (req) => {
      await deleteCredential(await getDeps(), req.caller.ownerId, req.params.id as string);
      return empty(204);
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
