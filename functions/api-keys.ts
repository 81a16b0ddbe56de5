import { apiHandler } from '../shared/http/api-handler.js';
import { jsonBody } from '../shared/http/api-request.js';
import { empty, json } from '../shared/http/api-response.js';
import { apiKeyDocument } from '../shared/http/presenters/resources.js';
import type { Route } from '../shared/http/router.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../shared/use-cases/api-keys/manage-api-keys.js';
import { getDeps, logUnexpected } from './composition.js';

/** API keys: create (the key is shown once), list without secrets, revoke. */
export const routes: Route[] = [
  {
    method: 'GET',
    path: '/apiKeys',
    handle: async (req) => {
      const keys = await listApiKeys(await getDeps(), req.caller.ownerId);
      return json(200, {
        count: keys.length,
        totalCount: keys.length,
        next: null,
        previous: null,
        data: keys.map(apiKeyDocument),
      });
    },
  },
  {
    method: 'POST',
    path: '/apiKeys',
    handle: async (req) => {
      const { record, key } = await createApiKey(await getDeps(), req.caller, jsonBody(req) as never);
      return json(
        201,
        { ...apiKeyDocument(record), key },
        { Location: `${req.baseUrl}/apiKeys/${record.id}/` },
      );
    },
  },
  {
    method: 'DELETE',
    path: '/apiKeys/{id}',
    handle: async (req) => {
      await revokeApiKey(await getDeps(), req.caller.ownerId, req.params.id as string);
      return empty(204);
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
