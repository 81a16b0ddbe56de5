/**
 * The Distributed Map ResultWriter (`arn:aws:states:::s3:putObject`): writes the child executions' results under
 * `<Prefix>/<map run id>/` as SUCCEEDED_0.json, FAILED_0.json and PENDING_0.json plus a manifest.json, in the shape
 * Step Functions writes them, and returns what the Map state then outputs: `{ MapRunArn, ResultWriterDetails }`.
 */
import type { JsonObjectStore } from './object-store.js';

/** What became of one Map item's child execution. */
export interface MapItemRecord {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
  readonly startDate?: string;
  readonly stopDate?: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export interface ResultWriterTarget {
  readonly bucket: string;
  readonly prefix: string;
  readonly mapRunArn: string;
  readonly mapRunId: string;
  readonly stateMachineArn: string;
}

const STATUSES = ['SUCCEEDED', 'FAILED', 'PENDING'] as const;

/** Writes the result files and the manifest; returns the Map state's result. */
export async function writeMapResults(
  objects: JsonObjectStore,
  target: ResultWriterTarget,
  records: readonly MapItemRecord[],
): Promise<unknown> {
  const folder = target.prefix ? `${target.prefix.replace(/\/+$/, '')}/${target.mapRunId}` : target.mapRunId;
  const resultFiles: Record<string, { Key: string; Size: number }[]> = {};
  for (const status of STATUSES) {
    const entries = records
      .filter((record) => record.status === status)
      .map((record) => toEntry(record, target));
    resultFiles[status] = [];
    if (entries.length === 0) continue;
    const key = `${folder}/${status}_0.json`;
    await objects.putJson(target.bucket, key, entries);
    resultFiles[status].push({ Key: key, Size: Buffer.byteLength(JSON.stringify(entries)) });
  }
  const manifestKey = `${folder}/manifest.json`;
  await objects.putJson(target.bucket, manifestKey, {
    DestinationBucket: target.bucket,
    MapRunArn: target.mapRunArn,
    ResultFiles: resultFiles,
  });
  return { MapRunArn: target.mapRunArn, ResultWriterDetails: { Bucket: target.bucket, Key: manifestKey } };
}

function toEntry(record: MapItemRecord, target: ResultWriterTarget): Record<string, unknown> {
  return {
    ExecutionArn: record.executionArn,
    Input: JSON.stringify(record.input),
    InputDetails: { Included: true },
    Name: record.name,
    ...(record.status === 'SUCCEEDED'
      ? { Output: JSON.stringify(record.output), OutputDetails: { Included: true } }
      : {}),
    ...(record.status === 'FAILED' ? { Error: record.error, Cause: record.cause } : {}),
    StartDate: record.startDate,
    StateMachineArn: target.stateMachineArn,
    Status: record.status,
    StopDate: record.stopDate,
  };
}
