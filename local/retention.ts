import { DROP_ROOT } from '../shared/domain/job-definition.js';
import type { ObjectStore } from '../shared/ports/object-store.js';

/** What expires: job data (`jobs/`) and objects dropped for S3-drop triggers, as in infra/constructs/data-store.ts. */
const EXPIRING_PREFIXES = ['jobs/', DROP_ROOT] as const;

/**
 * Deletes job data (uploaded input, parts, output) and dropped objects older than the retention period, as the
 * bucket's lifecycle rules do on AWS (seed 003: stored data is kept 48 hours, configurable). Returns how many
 * objects it removed.
 */
export async function expireJobData(
  objects: ObjectStore,
  retentionHours: number,
  now: Date,
): Promise<number> {
  const cutoff = now.getTime() - retentionHours * 3600 * 1000;
  const listed = await Promise.all(EXPIRING_PREFIXES.map((prefix) => objects.list(prefix)));
  const stale = listed.flat().filter((o) => o.lastModified.getTime() < cutoff);
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
