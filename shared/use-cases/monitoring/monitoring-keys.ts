/** Where monitoring keeps objects: chunk aggregates with the job (they expire with it), predictions by deployment. */
import type { z } from 'zod';
import type { ObjectStore } from '../../ports/object-store.js';
import { readObject } from '../jobs/object-bytes.js';

/** A chunk's aggregate, merged into the deployment's buckets when the job finishes. */
export const chunkAggregateKey = (jobId: string, index: number): string =>
  `jobs/${jobId}/monitoring/${index}.json`;

/** Prefix of a job's chunk aggregates. */
export const chunkAggregatesPrefix = (jobId: string): string => `jobs/${jobId}/monitoring/`;

/** Prefix of a deployment's association-id-keyed predictions (kept for actuals; not under `jobs/`, so no expiry). */
export const associationsPrefix = (deploymentId: string): string =>
  `monitoring/${deploymentId}/associations/`;

/** One chunk's association-id-keyed predictions. */
export const associationsKey = (deploymentId: string, jobId: string, index: number): string =>
  `${associationsPrefix(deploymentId)}${jobId}-${index}.json`;

/** A value as the JSON bytes monitoring stores. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Reads and validates a JSON object monitoring stored. */
export async function readJson<Schema extends z.ZodType>(
  objects: ObjectStore,
  key: string,
  schema: Schema,
): Promise<z.output<Schema>> {
  return schema.parse(JSON.parse((await readObject(objects, key)).toString('utf8')));
}
