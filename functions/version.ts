import { apiHandler } from '../shared/http/api-handler.js';
import { json } from '../shared/http/api-response.js';
import type { Route } from '../shared/http/router.js';
import { getDeps, logUnexpected } from './composition.js';

/**
 * The API version the DataRobot clients check on connect: major 2 satisfies both the 2.x and 3.x clients
 * (protocol §1).
 */
export const API_VERSION = { major: 2, minor: 28, versionString: '2.28.0', releasedVersion: '2.28.0' };

export const routes: Route[] = [
  { method: 'GET', path: '/version', handle: async () => json(200, API_VERSION) },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
