/**
 * A per-process cache of loaded models, so the chunks of a job (and of the next job on the same model) do not
 * each pay for reading and compiling the ONNX graph. Least recently used models are disposed past the capacity,
 * but never while a caller is still scoring with them: each use holds a lease.
 */
import type { LoadedModel, LoadModelOptions } from '../../engine/model/load-model.js';

interface Entry {
  readonly model: Promise<LoadedModel>;
  leases: number;
  evicted: boolean;
}

export class ModelCache {
  /** In recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();

  /**
   * @param capacity models kept loaded when nobody is using them.
   * @param loadOptions how loaders of this cache's models should load them (a chunk worker thread that is itself
   *   the unit of parallelism runs onnxruntime in-thread).
   */
  constructor(
    private readonly capacity = 2,
    readonly loadOptions: LoadModelOptions = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be >= 1, got ${capacity}`);
  }

  /**
   * Runs `use` with the model cached under `key`, loading it with `load` first when it is not cached (concurrent
   * callers share one load). A failed load is not cached.
   */
  async use<T>(
    key: string,
    load: () => Promise<LoadedModel>,
    use: (model: LoadedModel) => Promise<T>,
  ): Promise<T> {
    const entry = this.acquire(key, load);
    try {
      return await use(await entry.model);
    } finally {
      entry.leases--;
      if (entry.evicted && entry.leases === 0) await dispose(entry);
    }
  }

  /** Keys of the cached models, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Disposes every model nobody is using, and the others once their users finish. */
  async clear(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => this.evict(entry)));
  }

  private acquire(key: string, load: () => Promise<LoadedModel>): Entry {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = { model: load(), leases: 0, evicted: false };
      const loading = entry;
      loading.model.catch(() => {
        if (this.entries.get(key) === loading) this.entries.delete(key);
      });
    }
    this.entries.set(key, entry);
    entry.leases++;
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldKey);
      void this.evict(old);
    }
    return entry;
  }

  private async evict(entry: Entry): Promise<void> {
    entry.evicted = true;
    if (entry.leases === 0) await dispose(entry);
  }
}

async function dispose(entry: Entry): Promise<void> {
  try {
    await (await entry.model).dispose();
  } catch {
    // A model that failed to load has nothing to dispose; one that fails to dispose is gone either way.
  }
}
