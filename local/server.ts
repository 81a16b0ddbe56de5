import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResult, Handler } from 'aws-lambda';
import { getDeps } from '../functions/composition.js';
import { type HandlerModule, moduleForPath } from '../functions/routes.js';
import { authenticateEvent } from '../shared/http/api-handler.js';
import { API_PREFIX, MAX_JSON_BYTES } from '../shared/http/api-request.js';
import { type ApiResponse, json } from '../shared/http/api-response.js';
import { openHttpDownload } from '../shared/http/download-stream.js';
import { errorResponse, HttpError } from '../shared/http/http-errors.js';
import { completeInput, putInputPart } from '../shared/use-cases/jobs/input-upload.js';
import { checkUploadUrl } from '../shared/use-cases/jobs/upload-url.js';
import { localContext, toProxyEvent } from './lambda-event.js';

/** Largest body the API routes read, as API Gateway would enforce. */
const MAX_API_BODY = 10 * 1024 * 1024;
const UPLOAD_PATH = /^\/upload\/([^/]+)\/([^/]+)\/([^/]+)\/(?:part\/(\d+)|(finalizeMultipart))?$/;
const DOWNLOAD_PATH = new RegExp(`^${API_PREFIX}/batchPredictions/([^/]+)/download/?$`);

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The embedded stack's HTTP front: API routes go to the same Lambda handler modules API Gateway invokes; the
 * upload data plane and the download stream (CloudFront and a streaming function on AWS) are served here with
 * the same URL scheme and the same use cases.
 */
export async function startLocalServer(options: {
  port: number;
  host?: string;
  onError?: (e: unknown) => void;
}): Promise<LocalServer> {
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      req.resume();
      const { response, unexpected } = errorResponse(error);
      if (unexpected) options.onError?.(error);
      if (res.headersSent) res.destroy(error as Error);
      else send(res, response);
    });
  });
  // Node's 5 s default closes idle connections that clients (the DataRobot client's pool among them) reuse after a
  // pause, resetting their next request; keep them as long as an AWS load balancer does.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(options.port, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const upload = UPLOAD_PATH.exec(url.pathname);
  if (upload) return handleUpload(req, res, upload);
  const download = DOWNLOAD_PATH.exec(url.pathname);
  if (download && req.method === 'GET') return handleDownload(req, res, download[1] as string);
  if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
    const module = moduleForPath(url.pathname.slice(API_PREFIX.length));
    if (!module) throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
    const body = await readBody(req, MAX_API_BODY);
    const result = await invoke(module, toProxyEvent(req, url, body));
    return send(res, result);
  }
  throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
}

/** Each API module's handler, loaded on first use (spelled out so bundlers and test runners can follow them). */
const HANDLERS: Record<HandlerModule, () => Promise<{ handler: Handler }>> = {
  version: () => import('../functions/version.js'),
  'batch-predictions': () => import('../functions/batch-predictions.js'),
  'job-definitions': () => import('../functions/job-definitions.js'),
  deployments: () => import('../functions/deployments.js'),
  'model-packages': () => import('../functions/model-packages.js'),
  'api-keys': () => import('../functions/api-keys.js'),
  credentials: () => import('../functions/credentials.js'),
  projects: () => import('../functions/projects.js'),
  'external-data': () => import('../functions/external-data.js'),
  datasets: () => import('../functions/datasets.js'),
  openapi: () => import('../functions/openapi.js'),
};

async function invoke(module: HandlerModule, event: ReturnType<typeof toProxyEvent>): Promise<ApiResponse> {
  const { handler } = await HANDLERS[module]();
  const result = (await handler(event, localContext(module), () => {})) as APIGatewayProxyResult;
  return {
    statusCode: result.statusCode,
    headers: result.headers as Record<string, string>,
    body: result.body,
  };
}

/** The data plane's twin: checks the signed URL, ignores the client's Authorization header, stores the body. */
async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  match: RegExpExecArray,
): Promise<void> {
  const [, jobId, expires, signature, part, finalize] = match as unknown as [
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  const deps = await getDeps();
  const check = checkUploadUrl(deps.config.uploadSecret, jobId, expires, signature, deps.clock.now());
  if (check !== 'ok') {
    req.resume();
    throw new HttpError(
      403,
      check === 'expired' ? 'the upload URL has expired' : 'the upload URL is not valid',
    );
  }
  if (finalize) {
    if (req.method !== 'POST') throw new HttpError(405, 'finalizeMultipart takes POST', { Allow: 'POST' });
    req.resume();
    await completeInput(deps, jobId);
  } else {
    if (req.method !== 'PUT') throw new HttpError(405, 'uploads take PUT', { Allow: 'PUT' });
    await putInputPart(deps, jobId, part === undefined ? 0 : Number(part), req);
    if (part === undefined) await completeInput(deps, jobId);
  }
  send(res, json(202, {}));
}

/** Streams a job's output in order, following chunks as they finish while the job runs. */
async function handleDownload(req: IncomingMessage, res: ServerResponse, jobId: string): Promise<void> {
  req.resume();
  const deps = await getDeps();
  const caller = await authenticateEvent(deps, { headers: req.headers as Record<string, string> });
  // A client that goes away stops the follower, which would otherwise poll until the job ends.
  const following = new AbortController();
  res.once('close', () => following.abort(new Error('the client closed the download')));
  const stream = await openHttpDownload(deps, caller.ownerId, jobId, {
    pollMs: 100,
    signal: following.signal,
  });
  res.writeHead(200, {
    'Content-Type': 'text/csv',
    'Content-Disposition': `attachment; filename="${jobId}.csv"`,
  });
  try {
    for await (const piece of stream) {
      if (!res.write(piece)) await Promise.race([once(res, 'drain'), once(following.signal, 'abort')]);
    }
  } catch (error) {
    if (following.signal.aborted) return;
    throw error;
  }
  res.end();
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new HttpError(413, `request body is larger than ${Math.max(limit, MAX_JSON_BYTES)} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: ApiResponse): void {
  res.writeHead(response.statusCode, response.headers ?? {});
  res.end(response.body ?? '');
}
