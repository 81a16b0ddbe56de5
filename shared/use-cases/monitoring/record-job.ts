/**
 * Finalize's part of monitoring: merges the chunk aggregates of a finished job into the deployment's hourly
 * buckets, with the job itself (one request, its run time) counted in the hour it finished. Applied once per
 * job and bucket, so a retried finalize does not count the job twice.
 */
import type { JobRecord } from '../../domain/job.js';
import { parseJobSpec } from '../../domain/job-spec.js';
import {
  emptyBucket,
  hourOf,
  type MonitoringBucket,
  MonitoringBucketSchema,
  mergeBuckets,
} from '../../domain/monitoring/bucket.js';
import type { Deps } from '../deps.js';
import { chunkAggregatesPrefix, readJson } from './monitoring-keys.js';

/** Adds a finished job to its deployment's monitoring (nothing with skipDriftTracking). */
export async function recordJobMonitoring(deps: Deps, job: JobRecord): Promise<void> {
  const store = deps.monitoring;
  if (!store || parseJobSpec(job.spec).skipDriftTracking) return;
  const stored = await deps.objects.list(chunkAggregatesPrefix(job.id));
  const chunks = await Promise.all(stored.map((o) => readJson(deps.objects, o.key, MonitoringBucketSchema)));
  const finished = deps.clock.now();
  const run = emptyBucket(hourOf(finished), job.modelVersionId);
  run.jobs = 1;
  run.executionMs = job.started ? Math.max(0, finished.getTime() - Date.parse(job.started)) : 0;
  const byHour = new Map<string, MonitoringBucket>();
  for (const bucket of [run, ...chunks]) {
    const key = `${bucket.hour}#${bucket.modelId}`;
    const seen = byHour.get(key);
    byHour.set(key, seen ? mergeBuckets(seen, bucket) : bucket);
  }
  for (const bucket of byHour.values()) await store.addToBucket(job.deploymentId, `job:${job.id}`, bucket);
}
