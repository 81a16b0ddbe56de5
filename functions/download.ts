/**
 * `GET batchPredictions/<id>/download/` on AWS: a response-streaming Lambda behind API Gateway REST
 * (`responseTransferMode: STREAM`). A COMPLETED job is a 302 to a presigned S3 URL; a RUNNING job is streamed as
 * its chunks finish (docs/data-plane.md, "Download").
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { JobRecord } from '../shared/domain/job.js';
import { authenticateEvent } from '../shared/http/api-handler.js';
import { noOutputError, openHttpDownload } from '../shared/http/download-stream.js';
import { errorResponse, HttpError } from '../shared/http/http-errors.js';
import { lambdaObservability, logger } from '../shared/observability/observability.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { outputKey } from '../shared/use-cases/jobs/job-keys.js';
import { signedLongStreamUrl } from '../shared/use-cases/jobs/long-stream-url.js';
import { getDeps, logUnexpected } from './composition.js';
import { lambdaEnv } from './config.js';

/** What API Gateway needs before the body: Lambda's HTTP integration prelude. */
export interface ResponseMetadata {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
}

/** Sends the status and headers on `stream` and returns the stream the body goes to. */
export type ResponseStarter = (stream: Writable, metadata: ResponseMetadata) => Writable;

export interface StreamDownloadOptions {
  /** How long to wait before looking again for a part that is not scored yet. */
  readonly pollMs: number;
  /** Milliseconds this invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
  readonly timeLeftMs: () => number;
  /** Base URL of the long-stream service; absent, every RUNNING job is streamed here. */
  readonly longStreamUrl?: string;
  /** `awslambda.HttpResponseStream.from` in Lambda. */
  readonly respond: ResponseStarter;
}

/** Presigned output URLs are followed at once by the client; a short life keeps a leaked one harmless. */
const PRESIGNED_SECONDS = 300;
/** Long-stream URLs are also followed at once; the service checks the expiry only when the stream starts. */
const LONG_STREAM_URL_SECONDS = 300;
/** A RUNNING job is streamed here only when its estimated remaining work leaves this much of the time spare. */
const STREAM_SPARE_MS = 60_000;
/** The stream is broken off this long before the invocation ends, so it never ends by being cut cleanly. */
const DEADLINE_MARGIN_MS = 5_000;
const DOWNLOAD_PATH = /\/batchPredictions\/([^/]+)\/download\/?$/;

type Plan =
  | { readonly kind: 'redirect'; readonly location: string }
  | {
      readonly kind: 'stream';
      readonly jobId: string;
      readonly first: Buffer;
      readonly rest: AsyncIterator<Buffer>;
    };

/**
 * Answers one download request on `responseStream`: 401/404/405/406/409 as DataRobot JSON, 302 to the output
 * (COMPLETED) or to the long-stream service (a RUNNING job that would outlast this invocation), else 200 text/csv
 * following the job until its last row. An error after the 200 destroys the stream instead of ending it, so a
 * truncated file always looks broken to the client; so does reaching the invocation's deadline.
 */
export async function streamDownload(
  event: APIGatewayProxyEvent,
  responseStream: Writable,
  deps: Deps,
  options: StreamDownloadOptions,
): Promise<void> {
  // Aborted when the stream is broken off, so the follower stops polling instead of outliving the request.
  const following = new AbortController();
  let plan: Plan;
  try {
    plan = await planDownload(event, deps, options, following.signal);
  } catch (error) {
    const { response, unexpected } = errorResponse(error);
    if (unexpected) logUnexpected(error, event);
    const headers = (response.headers ?? {}) as Record<string, string>;
    options.respond(responseStream, { statusCode: response.statusCode, headers }).end(response.body ?? '');
    return;
  }
  if (plan.kind === 'redirect') {
    options.respond(responseStream, { statusCode: 302, headers: { Location: plan.location } }).end();
    return;
  }
  const { jobId } = plan;
  const body = options.respond(responseStream, {
    statusCode: 200,
    headers: { 'Content-Type': 'text/csv', 'Content-Disposition': `attachment; filename="${jobId}.csv"` },
  });
  try {
    await pipeUntil(plan.first, plan.rest, body, options.timeLeftMs() - DEADLINE_MARGIN_MS);
    await new Promise<unknown>((resolve) => body.end(resolve));
  } catch (error) {
    logger.warn('download stream broken off', { jobId, error: error as Error });
    following.abort(error);
    body.destroy(error as Error);
  }
}

async function planDownload(
  event: APIGatewayProxyEvent,
  deps: Deps,
  options: StreamDownloadOptions,
  signal: AbortSignal,
): Promise<Plan> {
  if (event.httpMethod !== 'GET') throw new HttpError(405, 'the download takes GET', { Allow: 'GET' });
  const caller = await authenticateEvent(deps, event);
  const jobId = jobIdOf(event);
  const output = await openHttpDownload(deps, caller.ownerId, jobId, { pollMs: options.pollMs, signal });
  const job = await deps.jobs.get(caller.ownerId, jobId);
  if (!job) throw noOutputError(jobId);
  if (job.status === 'COMPLETED') {
    return { kind: 'redirect', location: await deps.objects.presignGet(outputKey(jobId), PRESIGNED_SECONDS) };
  }
  const now = deps.clock.now();
  if (options.longStreamUrl && remainingWorkMs(job, now) + STREAM_SPARE_MS > options.timeLeftMs()) {
    const url = signedLongStreamUrl(
      deps.config.uploadSecret,
      options.longStreamUrl,
      jobId,
      now,
      LONG_STREAM_URL_SECONDS,
    );
    return { kind: 'redirect', location: url };
  }
  // The first piece is read before answering, so a job aborted meanwhile still gets a 409 rather than a 200.
  const rest = output[Symbol.asyncIterator]();
  const first = await rest.next();
  return { kind: 'stream', jobId, first: first.done ? Buffer.alloc(0) : first.value, rest };
}

/**
 * The time the job's remaining chunks will take at the pace of the chunks done so far. An estimate, not a bound: the deadline in {@link pipeUntil} is what keeps a stream that
 * would outlast the invocation from ending cleanly.
 */
function remainingWorkMs(job: JobRecord, now: Date): number {
  const left = job.chunksTotal - job.chunksDone;
  if (left <= 0) return 0;
  const elapsed = Math.max(0, now.getTime() - Date.parse(job.started ?? now.toISOString()));
  return (elapsed / Math.max(job.chunksDone, 1)) * left;
}

/** Writes `first` and then the rest to `body`, honouring backpressure; throws once `budgetMs` is spent. */
async function pipeUntil(
  first: Buffer,
  rest: AsyncIterator<Buffer>,
  body: Writable,
  budgetMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('the download reached the time limit of this invocation before the last row')),
      Math.max(0, budgetMs),
    );
  });
  // The race below may leave it unobserved when the stream ends first.
  deadline.catch(() => {});
  try {
    for (let piece = first; ; ) {
      if (piece.length > 0 && !body.write(piece)) await Promise.race([once(body, 'drain'), deadline]);
      const next = await Promise.race([rest.next(), deadline]);
      if (next.done) return;
      piece = next.value;
    }
  } catch (error) {
    // Queued behind the read in flight; the caller's abort ends that read if it is waiting for a part.
    rest.return?.(undefined).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function jobIdOf(event: APIGatewayProxyEvent): string {
  const fromRoute = event.pathParameters?.id;
  if (fromRoute) return fromRoute;
  const fromPath = DOWNLOAD_PATH.exec(event.path ?? '')?.[1];
  if (fromPath) return fromPath;
  throw new HttpError(404, `no route for ${event.httpMethod} ${event.path}`);
}

/** Lambda's own prelude writer, present in the Lambda Node.js runtime only. */
function lambdaResponse(stream: Writable, metadata: ResponseMetadata): Writable {
  return awslambda.HttpResponseStream.from(stream, { ...metadata });
}

async function handleDownload(
  event: APIGatewayProxyEvent,
  stream: Writable,
  context: Context,
): Promise<void> {
  let deps: Deps;
  try {
    deps = await getDeps();
  } catch (error) {
    logUnexpected(error, event);
    const { response } = errorResponse(error);
    lambdaResponse(stream, { statusCode: 500, headers: response.headers ?? {} }).end(response.body);
    return;
  }
  await streamDownload(event, stream, deps, {
    pollMs: 1_000,
    timeLeftMs: () => context.getRemainingTimeInMillis(),
    longStreamUrl: lambdaEnv().LONG_STREAM_URL,
    respond: lambdaResponse,
  });
}

/** One streamed invocation, as the middlewares see it: the request and the stream its answer goes to. */
interface DownloadInvocation {
  readonly event: APIGatewayProxyEvent;
  readonly stream: Writable;
}

// Streaming rules out middy's own response handling, so the middlewares wrap the whole answer instead: the
// Lambda context in each log line, the invocation traced, metrics published, as for every other handler.
const observedDownload = middy<DownloadInvocation, void>()
  .use(lambdaObservability())
  .handler(({ event, stream }, context) => handleDownload(event, stream, context));

async function observedHandleDownload(
  event: APIGatewayProxyEvent,
  stream: Writable,
  context: Context,
): Promise<void> {
  await observedDownload({ event, stream }, context);
}

/**
 * Streaming in Lambda's Node.js runtime; elsewhere (tests, local tools) the plain function. Checked by the
 * function itself, since the AWS SDK defines an empty `awslambda` global of its own.
 */
export const handler =
  typeof globalThis.awslambda?.streamifyResponse === 'function'
    ? awslambda.streamifyResponse(observedHandleDownload)
    : observedHandleDownload;
