/**
 * Runs a job's pipeline (prepare -> score chunks -> finalize). On AWS a Step Functions execution; at home the
 * local executor. Use cases only start and stop it.
 */
export interface Workflow {
  /** Starts the pipeline for a job whose input is complete. Starting a job twice starts it once. */
  start(jobId: string): Promise<void>;
  /** Stops a running pipeline promptly; stopping a job that is not running is not an error. */
  stop(jobId: string): Promise<void>;
}
