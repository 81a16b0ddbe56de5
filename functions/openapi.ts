import { apiHandler } from '../shared/http/api-handler.js';
import { json } from '../shared/http/api-response.js';
import { openApiDocument } from '../shared/http/openapi.js';
import type { Route } from '../shared/http/router.js';
import { getDeps, logUnexpected } from './composition.js';

export const routes: Route[] = [
  { method: 'GET', path: '/openapi.json', handle: async (req) => json(200, openApiDocument(req.baseUrl)) },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
