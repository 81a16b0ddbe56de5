import type { ApiRequest } from './api-request.js';
import type { ApiResponse } from './api-response.js';
import { HttpError } from './http-errors.js';

export type RouteHandler = (req: ApiRequest) => Promise<ApiResponse>;

export interface Route {
  readonly method: string;
  /** Path pattern below the API prefix, e.g. `/batchPredictions/{id}`. */
  readonly path: string;
  readonly handle: RouteHandler;
}

/** Compiles a path pattern with `{name}` segments into a matcher. */
export function pathMatcher(pattern: string): (path: string) => Record<string, string> | null {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      const m = /^\{(\w+)\+?\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] as string);
      return segment.endsWith('+}') ? '(.+)' : '([^/]+)';
    })
    .join('/');
  const re = new RegExp(`^${source}$`);
  return (path) => {
    const m = re.exec(path);
    if (!m) return null;
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] as string)]));
  };
}

/** Finds the route for a request: 404 for an unknown path, 405 (with Allow) for a known path and another method. */
export function dispatch(routes: readonly Route[], req: ApiRequest): Promise<ApiResponse> {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = pathMatcher(route.path)(req.path);
    if (!params) continue;
    if (route.method !== req.method) {
      allowed.push(route.method);
      continue;
    }
    // Ids are 24 hex characters; anything else cannot name a record (and must not reach a store's key limits).
    if (params.id !== undefined && !/^[0-9a-f]{24}$/.test(params.id)) {
      throw new HttpError(404, `no resource ${params.id.slice(0, 64)} at ${req.method} ${route.path}/`);
    }
    req.params = params;
    return route.handle(req);
  }
  if (allowed.length > 0) {
    throw new HttpError(405, `${req.method} is not allowed on ${req.path}/`, { Allow: allowed.join(', ') });
  }
  throw new HttpError(404, `no route for ${req.method} ${req.path}/`);
}
