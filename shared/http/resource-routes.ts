/**
 * The create/get/update/delete routes of a resource, shaped as DataRobot's API answers them. Lists differ from
 * resource to resource (one page, paged, filtered), so they stay with each handler.
 */
import type { Deps } from '../use-cases/deps.js';
import { type ApiRequest, jsonBody } from './api-request.js';
import { empty, json } from './api-response.js';
import type { Route } from './router.js';

/** The use cases behind a resource's routes; one left out gives no route. Bodies are validated by the use case. */
export interface ResourceUseCases<R, C, U> {
  readonly create?: (deps: Deps, ownerId: string, body: C) => Promise<R & { readonly id: string }>;
  readonly get?: (deps: Deps, ownerId: string, id: string) => Promise<R>;
  readonly update?: (deps: Deps, ownerId: string, id: string, body: U) => Promise<R>;
  readonly remove?: (deps: Deps, ownerId: string, id: string) => Promise<void>;
}

/**
 * Routes for `collection` (e.g. `/credentials`): POST answers 201 with the document and its Location, GET and
 * PATCH on `{id}` answer the document, DELETE answers 204. Every use case runs as the caller; `document` renders a
 * record, with the deps for documents that read more than the record.
 */
export function resourceRoutes<R, C = unknown, U = unknown>(
  collection: string,
  getDeps: () => Promise<Deps>,
  document: (record: R, deps: Deps) => Record<string, unknown> | Promise<Record<string, unknown>>,
  useCases: ResourceUseCases<R, C, U>,
  /** DataRobot answers some creations 202 (job definitions) rather than 201. */
  createStatus: 201 | 202 = 201,
): Route[] {
  const item = `${collection}/{id}`;
  const idOf = (req: ApiRequest) => req.params.id as string;
  const { create, get, update, remove } = useCases;
  const routes: Route[] = [];
  if (create) {
    routes.push({
      method: 'POST',
      path: collection,
      handle: async (req) => {
        const deps = await getDeps();
        const record = await create(deps, req.caller.ownerId, jsonBody(req) as C);
        return json(createStatus, await document(record, deps), {
          Location: `${req.baseUrl}${collection}/${record.id}/`,
        });
      },
    });
  }
  if (get) {
    routes.push({
      method: 'GET',
      path: item,
      handle: async (req) => {
        const deps = await getDeps();
        return json(200, await document(await get(deps, req.caller.ownerId, idOf(req)), deps));
      },
    });
  }
  if (update) {
    routes.push({
      method: 'PATCH',
      path: item,
      handle: async (req) => {
        const deps = await getDeps();
        const record = await update(deps, req.caller.ownerId, idOf(req), jsonBody(req) as U);
        return json(200, await document(record, deps));
      },
    });
  }
  if (remove) {
    routes.push({
      method: 'DELETE',
      path: item,
      handle: async (req) => {
        await remove(await getDeps(), req.caller.ownerId, idOf(req));
        return empty(204);
      },
    });
  }
  return routes;
}
