/**
 * The messages between the chunk worker pool and its threads, and the worker side of them: a worker answers one
 * request at a time with its handler's result or error, and forwards Workflow calls (a use case that ends a job
 * may start the next queued one) to the main thread, which owns the executions.
 */
import { parentPort } from 'node:worker_threads';
import type { Workflow } from '../shared/ports/workflow.js';

/** A task for a worker: the event its handler runs on. */
export interface ChunkRequest {
  readonly id: number;
  readonly event: unknown;
}

/** An error as it crosses threads; `name` becomes the Step Functions Error, `message` its Cause. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
}

export type ChunkReply =
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: SerializedError };

export interface WorkflowCall {
  readonly kind: 'workflow';
  readonly operation: 'start' | 'stop';
  readonly jobId: string;
}

export type WorkerMessage = ChunkReply | WorkflowCall;

/** Serves requests from the pool with `handle`, replying with its result or the error it threw. */
export function serveChunkRequests(handle: (event: unknown) => Promise<unknown>): void {
  const port = requirePort();
  port.on('message', (request: ChunkRequest) => {
    handle(request.event).then(
      (result) => port.postMessage({ kind: 'result', id: request.id, result } satisfies ChunkReply),
      (thrown: unknown) =>
        port.postMessage({
          kind: 'error',
          id: request.id,
          error: serializeError(thrown),
        } satisfies ChunkReply),
    );
  });
}

/**
 * A Workflow that hands its calls to the main thread. It resolves once the call is sent, as the local workflow's
 * own start and stop only schedule work; the main thread reports failures of the forwarded call itself.
 */
export function forwardingWorkflow(): Workflow {
  const port = requirePort();
  const forward = async (operation: WorkflowCall['operation'], jobId: string): Promise<void> => {
    port.postMessage({ kind: 'workflow', operation, jobId } satisfies WorkflowCall);
  };
  return { start: (jobId) => forward('start', jobId), stop: (jobId) => forward('stop', jobId) };
}

function serializeError(thrown: unknown): SerializedError {
  if (thrown instanceof Error) return { name: thrown.name || 'Error', message: thrown.message };
  return { name: 'Error', message: String(thrown) };
}

function requirePort(): NonNullable<typeof parentPort> {
  if (parentPort === null) throw new Error('not running in a chunk worker thread');
  return parentPort;
}
