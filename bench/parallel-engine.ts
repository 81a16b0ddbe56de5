/**
 * What two cores allow before any orchestration: the engine scoring the same CSV on two threads at once against
 * one thread alone. A job at numConcurrent 2 cannot scale past this on the same machine.
 */
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { siblingModule, startEntryThread } from '../local/entry-thread.js';

async function startThread(model: Uint8Array, featureNames: readonly string[], csv: Buffer): Promise<Worker> {
  const entry = siblingModule('parallel-engine-worker', import.meta.url);
  const worker = startEntryThread(entry, { model, featureNames: [...featureNames], csv });
  const [message] = await once(worker, 'message');
  if (message !== 'ready') throw new Error(`scoring thread failed to start: ${JSON.stringify(message)}`);
  return worker;
}

/** Milliseconds until every thread in `threads` has scored its CSV once more. */
async function timePasses(threads: readonly Worker[]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    threads.map(async (thread) => {
      thread.postMessage('go');
      const [message] = await once(thread, 'message');
      if (message !== 'done') throw new Error(`scoring thread failed: ${JSON.stringify(message)}`);
    }),
  );
  return performance.now() - started;
}

/**
 * The speed-up of two threads over one scoring `csv` in-thread (2 x one pass's time / two passes' time), from the
 * fastest of `repeat` rounds each.
 */
export async function parallelEngineSpeedUp(
  model: Uint8Array,
  featureNames: readonly string[],
  csv: Buffer,
  repeat: number,
): Promise<number> {
  const threads = await Promise.all([0, 1].map(() => startThread(model, featureNames, csv)));
  try {
    let one = Number.POSITIVE_INFINITY;
    let two = Number.POSITIVE_INFINITY;
    for (let i = 0; i < repeat; i++) {
      one = Math.min(one, await timePasses(threads.slice(0, 1)));
      two = Math.min(two, await timePasses(threads));
    }
    return (2 * one) / two;
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
