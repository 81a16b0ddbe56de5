/**
 * TreeSHAP on several cores: a small pool of worker threads running the leaf-table kernel (tree-shap-kernel.ts)
 * over slices of a batch's explained rows. The tables (≈13 MB for 100 depth-6 trees) are copied once into
 * shared memory, so every worker reads the same bytes. Explanations cost ≈300× plain scoring (design §2.6), so
 * splitting rows across cores is what reaches the 1,000 rows/s target on a 2-core machine.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type KernelData, type KernelTables, treeShapKernel } from './tree-shap-kernel.js';

/** Most worker threads one pool starts (the product runs on 2-core machines; more would only contend). */
export const MAX_EXPLAIN_WORKERS = 2;

/** Rows below which a batch is not worth splitting: a message round trip costs about one row's work. */
const MIN_ROWS_PER_WORKER = 8;

// Plain JavaScript so the worker starts the same way under tsx, vitest and the compiled build. The kernel comes
// as source text; `__name` is the helper some TypeScript transpilers (tsx/esbuild keepNames) wrap functions in.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
var __name = (f) => f;
const kernel = (__KERNEL__)(workerData.data);
parentPort.on('message', ({ id, xs, rows }) => {
  try {
    const phi = new Float64Array(rows * workerData.data.players);
    const margins = new Float64Array(rows);
    kernel.explainRows(xs, rows, phi, margins);
    parentPort.postMessage({ id, phi, margins }, [phi.buffer, margins.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

/** Margin-space values of a slice of rows: `players` per row, and each row's margin. */
export interface MarginRows {
  readonly phi: Float64Array;
  readonly margins: Float64Array;
}

type Pending = { resolve: (r: MarginRows) => void; reject: (e: Error) => void };

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** Copies a typed array into shared memory, so posting it to a worker shares it instead of copying it. */
function shared<T extends Int32Array | Uint8Array | Float64Array>(a: T): T {
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  (copy as unknown as { set(s: T): void }).set(a);
  return copy;
}

function sharedData(d: KernelData, t: KernelTables): KernelData {
  return {
    ...d,
    internal: shared(d.internal),
    feature: shared(d.feature),
    threshold: shared(d.threshold),
    mode: shared(d.mode),
    missingTrue: shared(d.missingTrue),
    roots: shared(d.roots),
    ifTrue: shared(d.ifTrue),
    ifFalse: shared(d.ifFalse),
    isLeaf: shared(d.isLeaf),
    leafValue: shared(d.leafValue),
    tables: {
      nodeBit: shared(t.nodeBit),
      leafIndex: shared(t.leafIndex),
      playerStart: shared(t.playerStart),
      leafPlayers: shared(t.leafPlayers),
      tableStart: shared(t.tableStart),
      table: shared(t.table),
    },
  };
}

/**
 * Worker threads explaining rows with the leaf-table kernel. Workers hold the process open only while a slice
 * is out, so an idle pool never keeps a process alive; `close` ends them.
 */
export class TreeShapPool {
  private readonly workers: PoolWorker[];
  private readonly features: number;
  private readonly players: number;
  private nextId = 0;
  private failure: Error | null = null;

  private constructor(data: KernelData, size: number) {
    this.features = data.features;
    this.players = data.players;
    const kernel = treeShapKernel.toString();
    const source = WORKER_SOURCE.replace('__KERNEL__', () => kernel);
    this.workers = Array.from({ length: size }, () => this.start(source, data));
  }

  /**
   * A pool for a tables-engine explainer, or null when only one core is available (the caller then explains in
   * its own thread, which costs the same without the messaging).
   */
  static create(
    data: KernelData,
    size = Math.min(MAX_EXPLAIN_WORKERS, availableParallelism()),
  ): TreeShapPool | null {
    if (size < 2 || !data.tables) return null;
    return new TreeShapPool(sharedData(data, data.tables), size);
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.workers.length;
  }

  /** Margin-space values of `rows` rows held in `xs` (`features` per row), split across the workers. */
  async explain(xs: Float64Array, rows: number): Promise<MarginRows> {
    const slices = Math.max(1, Math.min(this.workers.length, Math.floor(rows / MIN_ROWS_PER_WORKER)));
    const per = Math.ceil(rows / slices);
    const parts = await Promise.all(
      Array.from({ length: slices }, (_, s) => {
        const first = s * per;
        const n = Math.max(0, Math.min(per, rows - first));
        const slice = xs.slice(first * this.features, (first + n) * this.features);
        return this.send(this.workers[s] as PoolWorker, slice, n);
      }),
    );
    if (parts.length === 1) return parts[0] as MarginRows;
    const phi = new Float64Array(rows * this.players);
    const margins = new Float64Array(rows);
    parts.forEach((part, s) => {
      phi.set(part.phi, s * per * this.players);
      margins.set(part.margins, s * per);
    });
    return { phi, margins };
  }

  /** Ends the workers; pending slices fail. */
  async close(): Promise<void> {
    this.fail(new Error('the explanation worker pool was closed'));
    await Promise.all(
      this.workers.map((w) => {
        w.worker.removeAllListeners('exit');
        return w.worker.terminate();
      }),
    );
  }

  private start(source: string, data: KernelData): PoolWorker {
    const worker = new Worker(source, { eval: true, workerData: { data } });
    const pending = new Map<number, Pending>();
    worker.on('message', (m: { id: number; phi?: Float64Array; margins?: Float64Array; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (pending.size === 0) worker.unref();
      if (m.error !== undefined || !m.phi || !m.margins) p.reject(new Error(m.error ?? 'no result'));
      else p.resolve({ phi: m.phi, margins: m.margins });
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`explanation worker exited (code ${code})`)));
    worker.unref();
    return { worker, pending };
  }

  private send(w: PoolWorker, xs: Float64Array, rows: number): Promise<MarginRows> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const id = this.nextId++;
      w.pending.set(id, { resolve, reject });
      w.worker.ref();
      w.worker.postMessage({ id, xs, rows }, [xs.buffer as ArrayBuffer]);
    });
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const w of this.workers) {
      for (const p of w.pending.values()) p.reject(error);
      w.pending.clear();
    }
  }
}
