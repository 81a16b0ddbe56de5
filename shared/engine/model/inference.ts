import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** A tensor as it crosses threads: plain data, no native handle. */
export interface TensorData {
  readonly type: ort.Tensor.Type;
  readonly data: ort.Tensor.DataType;
  readonly dims: readonly number[];
}

/** Runs a model on batches of input tensors. */
export interface InferenceRunner {
  run(feeds: Record<string, TensorData>, fetches: readonly string[]): Promise<Record<string, TensorData>>;
  dispose(): Promise<void>;
}

export interface SessionSettings {
  readonly threads: number;
}

function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

/** onnxruntime in the calling thread: `run` blocks the event loop while the model computes. */
export async function inThreadRunner(bytes: Uint8Array, settings: SessionSettings): Promise<InferenceRunner> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions(settings));
  return {
    run: async (feeds, fetches) => {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort.Tensor(t.type, t.data, t.dims);
      return session.run(tensors, fetches as string[]);
    },
    dispose: () => session.release(),
  };
}

// Plain JavaScript so the worker starts the same way under tsx, vitest and the compiled build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
ort.InferenceSession.create(workerData.bytes, workerData.options).then(
  (session) => {
    parentPort.postMessage({ ready: true });
    parentPort.on('message', async ({ id, feeds, fetches }) => {
      try {
        const tensors = {};
        for (const name of Object.keys(feeds)) {
          const t = feeds[name];
          tensors[name] = new ort.Tensor(t.type, t.data, t.dims);
        }
        const out = await session.run(tensors, fetches);
        const result = {};
        for (const name of Object.keys(out)) result[name] = { type: out[name].type, data: out[name].data, dims: out[name].dims };
        parentPort.postMessage({ id, result });
      } catch (error) {
        parentPort.postMessage({ id, error: String((error && error.message) || error) });
      }
    });
  },
  (error) => parentPort.postMessage({ ready: false, error: String((error && error.message) || error) }),
);
`;

type Pending = { resolve: (r: Record<string, TensorData>) => void; reject: (e: Error) => void };

/**
 * onnxruntime in a worker thread, so the calling thread parses and writes CSV while the model computes the
 * previous batch: on two cores, CSV work and inference overlap instead of adding up.
 */
export async function workerRunner(bytes: Uint8Array, settings: SessionSettings): Promise<InferenceRunner> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { bytes, options: sessionOptions(settings), ortPath },
  });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let failure: Error | null = null;
  const failAll = (error: Error): void => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { ready: boolean; error?: string }) =>
      m.ready ? resolve() : reject(new Error(m.error ?? 'onnxruntime worker failed to start')),
    );
    worker.once('error', reject);
  }).catch(async (error: Error) => {
    await worker.terminate();
    throw error;
  });
  worker.on('message', (m: { id: number; result?: Record<string, TensorData>; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.result ?? {});
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`onnxruntime worker exited (code ${code})`)));
  // Referenced only while a batch is out, so an idle model never keeps the process alive.
  worker.unref();
  return {
    run: (feeds, fetches) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, feeds, fetches });
      }),
    dispose: async () => {
      worker.removeAllListeners('exit');
      failAll(new Error('the model was disposed'));
      await worker.terminate();
    },
  };
}
