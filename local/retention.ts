import type { ObjectStore } from '../shared/ports/object-store.js';

/**
 * Deletes job data (uploaded input, parts, output) older than the retention period, as the bucket's lifecycle
 * rule does on AWS (seed 003: stored data is kept 48 hours, configurable). Returns how many objects it removed.
 */
export async function expireJobData(
  objects: ObjectStore,
  retentionHours: number,
  now: Date,
): Promise<number> {
  const cutoff = now.getTime() - retentionHours * 3600 * 1000;
  const stale = (await objects.list('jobs/')).filter((o) => o.lastModified.getTime() < cutoff);
  for (const object of stale) await objects.delete(object.key);
  return stale.length;
}

/** Runs expireJobData now and then every `everyMs`; returns a function that stops it. */
export function startRetentionSweeper(
  objects: ObjectStore,
  retentionHours: number,
  onError: (error: unknown) => void,
  everyMs = 3600 * 1000,
): () => void {
  const sweep = () => {
    expireJobData(objects, retentionHours, new Date()).catch(onError);
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
