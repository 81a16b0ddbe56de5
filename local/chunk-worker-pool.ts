/**
 * A pool of worker threads for chunk scoring: each thread runs one request at a time, so N threads score N chunks
 * on N cores. Threads start on demand up to the pool size and are kept (with their loaded models) while the pool
 * lives; a thread that dies fails its request and is replaced by the next request that needs one.
 */
import type { Worker } from 'node:worker_threads';
import type { Workflow } from '../shared/ports/workflow.js';
import type { ChunkRequest, WorkerMessage } from './chunk-worker-protocol.js';
import { startEntryThread } from './entry-thread.js';

/** The Error a request fails with when its thread exits or crashes, as Lambda reports a runtime that died. */
export const WORKER_EXIT_ERROR = 'Runtime.ExitError';

export interface ChunkWorkerPoolOptions {
  /** The worker's entry module (`.ts` when run from source: tsx is registered in the thread first). */
  readonly entry: URL;
  /** Plain data for the entry module (`workerSettings()` in the thread). */
  readonly settings: unknown;
  /** Threads at most. */
  readonly size: number;
  /** Receives the Workflow calls use cases make inside the threads. */
  readonly workflow: Workflow;
  /** Told about forwarded Workflow calls that failed (default: console.error). */
  readonly onUnexpectedError?: (error: unknown) => void;
}

interface Task {
  readonly request: ChunkRequest;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface PoolThread {
  readonly worker: Worker;
  task: Task | null;
}

export class ChunkWorkerPool {
  private readonly threads = new Set<PoolThread>();
  private readonly queue: Task[] = [];
  private readonly onUnexpectedError: (error: unknown) => void;
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: ChunkWorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`pool size must be >= 1, got ${options.size}`);
    }
    this.onUnexpectedError = options.onUnexpectedError ?? ((error) => console.error(error));
  }

  /** Threads started and alive. */
  get threadCount(): number {
    return this.threads.size;
  }

  /**
   * Runs `event` through a thread's handler and resolves with its result; rejects with the handler's error
   * (same name and message) or with WORKER_EXIT_ERROR when the thread dies first.
   */
  run(event: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the chunk worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, event }, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every thread; requests still queued or running fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('the chunk worker pool closed'));
    await Promise.all([...this.threads].map((thread) => thread.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.idleThread() ?? (this.threads.size < this.options.size ? this.spawn() : null);
      if (thread === null) return;
      const task = this.queue.shift() as Task;
      thread.task = task;
      thread.worker.ref();
      thread.worker.postMessage(task.request);
    }
  }

  private idleThread(): PoolThread | null {
    for (const thread of this.threads) if (thread.task === null) return thread;
    return null;
  }

  private spawn(): PoolThread {
    const thread: PoolThread = {
      worker: startEntryThread(this.options.entry, this.options.settings),
      task: null,
    };
    this.threads.add(thread);
    thread.worker.on('message', (message: WorkerMessage) => this.receive(thread, message));
    thread.worker.on('error', (error) =>
      this.lose(thread, `the chunk worker thread crashed: ${error.message}`),
    );
    thread.worker.on('exit', (code) => this.lose(thread, `the chunk worker thread exited with code ${code}`));
    return thread;
  }

  private receive(thread: PoolThread, message: WorkerMessage): void {
    if (message.kind === 'workflow') {
      this.options.workflow[message.operation](message.jobId).catch(this.onUnexpectedError);
      return;
    }
    const task = thread.task;
    if (task === null || task.request.id !== message.id) return;
    thread.task = null;
    // An idle thread must not keep the process alive.
    thread.worker.unref();
    if (message.kind === 'result') task.resolve(message.result);
    else task.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
    this.dispatch();
  }

  private lose(thread: PoolThread, reason: string): void {
    if (!this.threads.delete(thread)) return;
    thread.task?.reject(Object.assign(new Error(reason), { name: WORKER_EXIT_ERROR }));
    thread.task = null;
    if (!this.closed) this.dispatch();
  }
}
