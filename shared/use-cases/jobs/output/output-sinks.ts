/**
 * Output other than `localFile`: finalize assembles the scored CSV (header first, every row in order) and hands
 * it to the sink registered here for `outputSettings.type`, instead of storing it for download.
 */
import { DataSourceError, NotSupportedError, ScoringError, ValidationError } from '../../../domain/errors.js';
import type { JobRecord } from '../../../domain/job.js';
import type { JobSpec } from '../../../domain/job-spec.js';
import type { Deps } from '../../deps.js';
import { failJob } from '../fail-job.js';
import type { IntakeSource } from '../intake/intake-sources.js';
import { JDBC_OUTPUT } from './jdbc-output.js';
import { s3OutputSink } from './s3-output.js';

/** Delivers the scored CSV (header first, all rows in order) to the job's destination. */
export interface OutputSink {
  /**
   * Returns bytes (or rows, documented) written. A retried delivery (finalize re-run after a crash) must not
   * duplicate rows at the destination. Throws a DataSourceError (message actionable, without secrets) or another
   * domain error when the destination refuses the write: the job then ends ABORTED with that message.
   */
  deliver(deps: Deps, job: JobRecord, csv: AsyncIterable<Uint8Array>): Promise<number>;
  /** Optional check at job creation, as {@link IntakeSource.checkSpec} (NotFoundError, ValidationError). */
  checkSpec?(deps: Deps, ownerId: string, spec: JobSpec): Promise<void>;
}

/** The output sinks this build has, by `outputSettings.type` (localFile is the download path, not a sink). */
export const OUTPUT_SINKS: Readonly<Partial<Record<string, OutputSink>>> = {
  s3: s3OutputSink,
  jdbc: JDBC_OUTPUT,
};

/** The sink that receives this job's output, or null for a downloaded (localFile) output. */
export function outputSinkOf(spec: JobSpec): OutputSink | null {
  return spec.outputSettings.type === 'localFile' ? null : (OUTPUT_SINKS[spec.outputSettings.type] ?? null);
}

/**
 * Hands the job's output to `sink` and returns what it wrote (its {@link OutputSink.deliver} result), or null when
 * the destination refused it for a reason the user must fix: the job has then been ended ABORTED with that reason.
 */
export async function deliverOutput(
  deps: Deps,
  job: JobRecord,
  sink: OutputSink,
  csv: AsyncIterable<Uint8Array>,
): Promise<number | null> {
  try {
    return await sink.deliver(deps, job, csv);
  } catch (error) {
    if (!isDestinationProblem(error)) throw error;
    await failJob(deps, job.id, error.message);
    return null;
  }
}

function isDestinationProblem(error: unknown): error is Error {
  return (
    error instanceof DataSourceError ||
    error instanceof ValidationError ||
    error instanceof NotSupportedError ||
    error instanceof ScoringError
  );
}
