/**
 * The custom CloudWatch metrics the handlers emit (shared/observability/observability.ts) and the stack charts and alarms on
 * (infra/constructs/observability.ts). Kept free of imports so the CDK app can read it without loading Powertools.
 */

/** CloudWatch namespace of every Batchline metric. */
export const METRICS_NAMESPACE = 'Batchline';

/**
 * The `service` dimension Powertools adds to every metric. One value for all functions (their logs keep
 * per-function service names), so a dashboard query needs no function names.
 */
export const METRICS_SERVICE = 'batchline';

export const METRIC = {
  /** A job was created: through the API (a 202 whose Location is the new job), by a schedule or by an S3 drop. */
  jobsCreated: 'JobsCreated',
  /** FinalizeJob completed a job. */
  jobsCompleted: 'JobsCompleted',
  /**
   * A workflow step ended a job ABORTED or found it so: a failed step, an unscorable chunk, an input prepare
   * refused, no rows, a job cancelled before it was prepared. A cancel of a running job stops its execution and
   * is not counted.
   */
  jobsAborted: 'JobsAborted',
  /** Rows of completed jobs scored, counted when the job completes. */
  rowsScored: 'RowsScored',
  /** Rows of completed jobs that failed (abortOnError false), counted when the job completes. */
  rowsFailed: 'RowsFailed',
  /** Milliseconds a chunk scorer (the Lambda, or the Fargate worker) took for a chunk it scored. */
  chunkDuration: 'ChunkDuration',
} as const;
