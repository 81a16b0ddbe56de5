/**
 * A small typed client for Batchline's REST API (docs/api.md) over the global `fetch`: JSON routes under the
 * endpoint, DataRobot pagination, and the data-plane transfers (model bytes, CSV upload, streamed download).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A model package as `modelPackages/` documents it. */
export interface ModelPackage {
  id: string;
  name: string;
  status: string;
  links?: { upload?: string };
  [field: string]: unknown;
}

/** A deployment document. */
export interface Deployment {
  id: string;
  label: string;
  [field: string]: unknown;
}

/** The job states of the Batch Prediction API. */
export type JobStatus = 'INITIALIZING' | 'RUNNING' | 'COMPLETED' | 'ABORTED';

/** A batch prediction job's status document (the fields the CLI reads; the server sends more). */
export interface JobDocument {
  id: string;
  status: JobStatus;
  percentageCompleted: number;
  elapsedTimeSec: number;
  scoredRows: number;
  failedRows: number;
  skippedRows: number;
  statusDetails: string;
  /** Bytes of the output, once it is complete. */
  jobOutputSize?: number | null;
  links: { self: string; csvUpload?: string; download?: string | null };
  [field: string]: unknown;
}

/** One page of a DataRobot-style list. */
interface Page<T> {
  data: T[];
  next: string | null;
}

/** A non-2xx answer, carrying the server's message (and field errors for 422). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Where the API is and how to authenticate. */
export interface ApiClientOptions {
  /** The API root as DataRobot clients take it, e.g. `http://127.0.0.1:8080/api/v2`. */
  endpoint: string;
  apiKey: string;
}

/** Reads `BATCHLINE_ENDPOINT` and `BATCHLINE_API_KEY`, failing with a message that names the missing one. */
export function apiClientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiClientOptions {
  const endpoint = env.BATCHLINE_ENDPOINT;
  const apiKey = env.BATCHLINE_API_KEY;
  if (!endpoint)
    throw new ApiConfigError('BATCHLINE_ENDPOINT is not set (e.g. http://127.0.0.1:8080/api/v2)');
  if (!apiKey) throw new ApiConfigError('BATCHLINE_API_KEY is not set');
  return { endpoint, apiKey };
}

/** The environment does not say where the API is or which key to use. */
export class ApiConfigError extends Error {}

/** Called with the bytes sent so far while a body is uploaded. */
export type ByteProgress = (sentBytes: number) => void;

/** A byte range of a file to send, optionally preceded by other bytes (the header row of a multipart part). */
export interface FileSlice {
  path: string;
  start: number;
  /** Exclusive. */
  end: number;
  prefix?: Buffer;
}

/** The typed API client. Paths are relative to the endpoint; links the server returned are used as they are. */
export class ApiClient {
  private readonly base: string;

  constructor(private readonly options: ApiClientOptions) {
    this.base = `${options.endpoint.replace(/\/+$/, '')}/`;
  }

  /** Resolves a path relative to the endpoint, the way DataRobot clients do; absolute URLs pass unchanged. */
  url(pathOrUrl: string): string {
    return /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : new URL(pathOrUrl, this.base).href;
  }

  /** Sends a JSON request and returns the parsed JSON answer (`undefined` for an empty body). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(this.url(path), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  /** Every item of a paginated list, following `next` links. */
  async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = path;
    while (next !== null) {
      const page: Page<T> = await this.json<Page<T>>('GET', next);
      items.push(...page.data);
      next = page.next;
    }
    return items;
  }

  /** Registers an ONNX model: create the package, PUT the bytes to its upload link, finalize (validates it). */
  async registerOnnxModel(name: string, manifest: unknown, onnx: Uint8Array): Promise<ModelPackage> {
    const created = await this.json<ModelPackage>('POST', 'modelPackages/fromOnnx/', {
      name,
      ...(manifest === undefined ? {} : { manifest }),
    });
    const upload = created.links?.upload;
    if (!upload) throw new ApiError(0, `model package ${created.id} came back without links.upload`);
    // A presigned object-store URL: it carries its own authorization, so no Authorization header goes with it.
    await this.send(
      upload,
      { method: 'PUT', body: onnx, headers: { 'content-type': 'application/octet-stream' } },
      false,
    );
    return this.json<ModelPackage>('POST', `modelPackages/${created.id}/finalize/`);
  }

  /** Creates a deployment serving a model package. */
  createDeployment(modelPackageId: string, label: string): Promise<Deployment> {
    return this.json<Deployment>('POST', 'deployments/fromModelPackage/', { modelPackageId, label });
  }

  /** Creates a batch prediction job from a job spec. */
  createJob(spec: Record<string, unknown>): Promise<JobDocument> {
    return this.json<JobDocument>('POST', 'batchPredictions/', spec);
  }

  /** The status document of a job. */
  getJob(id: string): Promise<JobDocument> {
    return this.json<JobDocument>('GET', `batchPredictions/${encodeURIComponent(id)}/`);
  }

  /** Jobs, optionally only those in the given states. */
  listJobs(statuses: readonly string[] = []): Promise<JobDocument[]> {
    const query = new URLSearchParams(statuses.map((s): [string, string] => ['status', s])).toString();
    return this.listAll<JobDocument>(`batchPredictions/${query ? `?${query}` : ''}`);
  }

  /** Aborts a job; a finished job stays as it is. */
  async cancelJob(id: string): Promise<void> {
    await this.json<unknown>('DELETE', `batchPredictions/${encodeURIComponent(id)}/`);
  }

  /** PUTs a slice of a file as CSV, streamed from disk with its exact Content-Length. */
  async putCsv(url: string, slice: FileSlice, onProgress?: ByteProgress): Promise<void> {
    const prefix = slice.prefix ?? Buffer.alloc(0);
    const length = prefix.length + (slice.end - slice.start);
    const body = Readable.from(sliceBytes(slice, prefix)).pipe(countBytes(onProgress));
    await this.send(url, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv', 'content-length': String(length) },
      body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
      duplex: 'half',
    });
  }

  /** POSTs to a data-plane URL without a body (`finalizeMultipart`). */
  async postEmpty(url: string): Promise<void> {
    await this.send(url, { method: 'POST' });
  }

  /** GETs a download link and streams it into a file; resolves once the server ended the body. */
  async downloadTo(url: string, path: string): Promise<number> {
    const response = await this.send(url, { method: 'GET' });
    if (!response.body) throw new ApiError(response.status, `the download at ${url} had no body`);
    let bytes = 0;
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      countBytes((n) => {
        bytes = n;
      }),
      createWriteStream(path),
    );
    return bytes;
  }

  private async send(url: string, init: RequestInit, authorize = true): Promise<Response> {
    const headers = new Headers(init.headers);
    if (authorize) headers.set('authorization', `Bearer ${this.options.apiKey}`);
    const response = await fetch(url, { ...init, headers });
    if (!response.ok) throw await apiErrorOf(response, `${init.method ?? 'GET'} ${url}`);
    return response;
  }
}

async function* sliceBytes(slice: FileSlice, prefix: Buffer): AsyncGenerator<Buffer> {
  if (prefix.length > 0) yield prefix;
  if (slice.end > slice.start) {
    yield* createReadStream(slice.path, { start: slice.start, end: slice.end - 1, highWaterMark: 1 << 20 });
  }
}

function countBytes(onProgress?: ByteProgress): Transform {
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      onProgress?.(sent);
      done(null, chunk);
    },
  });
}

async function apiErrorOf(response: Response, request: string): Promise<ApiError> {
  if (response.status === 401) {
    return new ApiError(401, 'the server refused the API key (401): check BATCHLINE_API_KEY');
  }
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: Record<string, string> };
    if (typeof body.message === 'string') return new ApiError(response.status, body.message, body.errors);
  } catch {
    // not JSON: fall through to the raw text
  }
  const detail = text.trim().slice(0, 200) || response.statusText;
  return new ApiError(response.status, `${request} answered ${response.status}: ${detail}`);
}
