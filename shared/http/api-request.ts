import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiKeyRecord } from '../domain/api-key.js';
import { HttpError } from './http-errors.js';

/** The API prefix every route lives under, as DataRobot clients expect it in their endpoint. */
export const API_PREFIX = '/api/v2';
/** Largest JSON body the API accepts (API Gateway's own limit is 10 MB). */
export const MAX_JSON_BYTES = 1 << 20;

/** A request as routes see it: normalized path and headers, parsed query and body, the authenticated caller. */
export interface ApiRequest {
  readonly method: string;
  /** Path below the API prefix, without a trailing slash, e.g. `/batchPredictions/abc`. */
  readonly path: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every value of each query parameter, in order (DataRobot repeats `status=`). */
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** Raw body text, '' when there is none. */
  readonly rawBody: string;
  /** The body's bytes as sent, for binary bodies (file uploads arrive base64-encoded from API Gateway). */
  readonly bodyBytes: Buffer;
  /** Absolute URL of the API root, e.g. `http://127.0.0.1:8080/api/v2`, for links and Location headers. */
  readonly baseUrl: string;
  readonly caller: ApiKeyRecord;
  /** Path parameters filled in by the router. */
  params: Record<string, string>;
}

/** Turns a Lambda proxy event into an ApiRequest (caller is attached by the authentication step). */
export function toApiRequest(event: APIGatewayProxyEvent, caller: ApiKeyRecord): ApiRequest {
  const headers = normalizeHeaders(event);
  const rawPath = event.path.startsWith(API_PREFIX) ? event.path.slice(API_PREFIX.length) : event.path;
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath || '/';
  const bodyBytes = event.body
    ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  const rawBody = event.isBase64Encoded ? bodyBytes.toString('utf8') : (event.body ?? '');
  const query: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (v) query[k] = [...v];
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {}))
    if (v !== undefined && !query[k]) query[k] = [v];
  return {
    method: event.httpMethod.toUpperCase(),
    path,
    headers,
    query,
    rawBody,
    bodyBytes,
    baseUrl: baseUrlOf(headers),
    caller,
    params: {},
  };
}

/** Lower-cased header map of an event. */
export function normalizeHeaders(event: Pick<APIGatewayProxyEvent, 'headers'>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  return headers;
}

/**
 * The absolute API root as the client reached it: Location headers must start with exactly the client's endpoint
 * (protocol predict-and-monitoring §0b). Behind CloudFront/API Gateway the forwarded headers say how.
 */
export function baseUrlOf(headers: Readonly<Record<string, string>>): string {
  const proto = headers['x-forwarded-proto']?.split(',')[0]?.trim() || 'http';
  const host = headers['x-forwarded-host'] ?? headers.host ?? 'localhost';
  return `${proto}://${host}${API_PREFIX}`;
}

/** The parsed JSON body; an empty body reads as {}. Throws 400 for malformed JSON and 413 for huge bodies. */
export function jsonBody(req: ApiRequest): unknown {
  if (Buffer.byteLength(req.rawBody) > MAX_JSON_BYTES) {
    throw new HttpError(413, `request body is larger than ${MAX_JSON_BYTES} bytes`);
  }
  if (req.rawBody.trim() === '') return {};
  try {
    return JSON.parse(req.rawBody);
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

/** Offset/limit paging parameters with DataRobot's defaults; bad values are a 422 naming the parameter. */
export function pageOf(req: ApiRequest, defaultLimit = 100): { offset: number; limit: number } {
  const read = (name: string, fallback: number, max: number): number => {
    const raw = req.query[name]?.[0];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > max) {
      throw new HttpError(
        422,
        `query parameter ${name} must be an integer from 0 to ${max}, got "${raw.slice(0, 40)}"`,
      );
    }
    return n;
  };
  return {
    offset: read('offset', 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, read('limit', defaultLimit, 1000)),
  };
}

/** DataRobot's list envelope with absolute next/previous links. */
export function pageEnvelope<T>(
  req: ApiRequest,
  items: T[],
  totalCount: number,
  page: { offset: number; limit: number },
) {
  const link = (offset: number): string => {
    const params = new URLSearchParams();
    for (const [k, values] of Object.entries(req.query)) {
      if (k === 'offset' || k === 'limit') continue;
      for (const v of values) params.append(k, v);
    }
    params.set('offset', String(offset));
    params.set('limit', String(page.limit));
    return `${req.baseUrl}${req.path}/?${params.toString()}`;
  };
  return {
    count: items.length,
    totalCount,
    next: page.offset + items.length < totalCount ? link(page.offset + page.limit) : null,
    previous: page.offset > 0 ? link(Math.max(0, page.offset - page.limit)) : null,
    data: items,
  };
}
