import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../../shared/engine/model/load-model.js';
import { ModelCache } from '../../../../shared/use-cases/jobs/model-cache.js';

/** A stand-in model that only records whether it was disposed. */
function fakeModel(name: string, disposed: string[]): LoadedModel {
  return {
    description: {} as LoadedModel['description'],
    runner: {} as LoadedModel['runner'],
    fetches: [],
    dispose: async () => {
      disposed.push(name);
    },
  };
}

describe('ModelCache', () => {
  it('loads each key once and shares concurrent loads', async () => {
    const cache = new ModelCache(2);
    const disposed: string[] = [];
    let loads = 0;
    const load = async () => {
      loads++;
      return fakeModel('m', disposed);
    };
    const seen = await Promise.all([1, 2, 3].map(() => cache.use('m', load, async (model) => model)));

    expect(loads).toBe(1);
    expect(new Set(seen).size).toBe(1);
  });

  it('disposes the least recently used model past its capacity', async () => {
    const cache = new ModelCache(2);
    const disposed: string[] = [];
    const use = (key: string) =>
      cache.use(
        key,
        async () => fakeModel(key, disposed),
        async () => key,
      );
    await use('a');
    await use('b');
    await use('a');
    await use('c');

    expect(disposed).toEqual(['b']);
    expect(cache.keys()).toEqual(['a', 'c']);
  });

  it('does not dispose an evicted model while it is in use', async () => {
    const cache = new ModelCache(1);
    const disposed: string[] = [];
    let release: () => void = () => {};
    const held = cache.use(
      'a',
      async () => fakeModel('a', disposed),
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    await new Promise((resolve) => setImmediate(resolve));
    await cache.use(
      'b',
      async () => fakeModel('b', disposed),
      async () => undefined,
    );
    expect(disposed).toEqual([]);

    release();
    await held;
    expect(disposed).toEqual(['a']);
  });

  it('does not cache a failed load', async () => {
    const cache = new ModelCache(2);
    const failing = cache.use(
      'm',
      async () => Promise.reject(new Error('bad onnx')),
      async () => 'never',
    );
    await expect(failing).rejects.toThrow('bad onnx');
    expect(cache.keys()).toEqual([]);
    expect(
      await cache.use(
        'm',
        async () => fakeModel('m', []),
        async () => 'ok',
      ),
    ).toBe('ok');
  });

  it('disposes everything on clear', async () => {
    const cache = new ModelCache(2);
    const disposed: string[] = [];
    for (const key of ['a', 'b'])
      await cache.use(
        key,
        async () => fakeModel(key, disposed),
        async () => key,
      );
    await cache.clear();
    expect(disposed.sort()).toEqual(['a', 'b']);
    expect(cache.keys()).toEqual([]);
  });
});
