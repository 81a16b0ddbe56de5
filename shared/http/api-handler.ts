import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiKeyRecord } from '../domain/api-key.js';
import { lambdaObservability, recordApiMetrics } from '../observability/observability.js';
import { authenticate } from '../use-cases/api-keys/authenticate.js';
import type { Deps } from '../use-cases/deps.js';
import { normalizeHeaders, toApiRequest } from './api-request.js';
import { errorResponse, HttpError } from './http-errors.js';
import { dispatch, type Route } from './router.js';

/** Where handlers get their ports from: AWS adapters in Lambda, the embedded stack's at home. */
export type DepsProvider = () => Promise<Deps>;

/** Reports errors the API could not map (bugs, outages); the response then says only "Internal server error". */
export type UnexpectedErrorLogger = (error: unknown, event: APIGatewayProxyEvent) => void;

/**
 * Maps errors to DataRobot-shaped JSON in one place (middy onError): domain errors become 4xx with their message,
 * anything else a bare 500.
 */
export function dataRobotErrors(
  log: UnexpectedErrorLogger,
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const { response, unexpected } = errorResponse(request.error);
      if (unexpected) log(request.error, request.event);
      request.response = {
        statusCode: response.statusCode,
        headers: response.headers,
        body: response.body ?? '',
      };
    },
  };
}

/** The caller behind an Authorization header (`Bearer <key>` or `Token <key>`); 401 otherwise. */
export async function authenticateEvent(
  deps: Deps,
  event: Pick<APIGatewayProxyEvent, 'headers'>,
): Promise<ApiKeyRecord> {
  const header = normalizeHeaders(event).authorization;
  const caller = header ? await authenticate(deps, header) : null;
  if (!caller) {
    throw new HttpError(
      401,
      'missing or invalid API key: send "Authorization: Bearer <key>" (or "Token <key>")',
    );
  }
  return caller;
}

/**
 * A Lambda proxy handler serving a set of routes: authenticate, route, run the use case, map errors. Every
 * handler module under functions/ is one call of this. Logs carry the Lambda context, invocations are traced, and
 * a created job is counted (shared/observability/observability.ts).
 */
export function apiHandler(routes: readonly Route[], getDeps: DepsProvider, log: UnexpectedErrorLogger) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(lambdaObservability())
    .use(dataRobotErrors(log))
    .handler(async (event) => {
      const deps = await getDeps();
      const caller = await authenticateEvent(deps, event);
      const response = await dispatch(routes, toApiRequest(event, caller));
      recordApiMetrics(event.httpMethod, response);
      return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body ?? '' };
    });
}
