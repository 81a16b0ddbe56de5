/**
 * Intake other than `localFile`: the job has no upload, so prepare reads its external input once into the same
 * input parts an upload would have left (`jobs/<id>/input/<part>`, CSV), then plans and scores them as usual.
 * Each data-source module registers its source here, keyed by `intakeSettings.type`.
 */
import { NotSupportedError } from '../../../domain/errors.js';
import type { JobRecord } from '../../../domain/job.js';
import type { JobSpec } from '../../../domain/job-spec.js';
import type { Deps } from '../../deps.js';
import { inputPrefix } from '../job-keys.js';
import { DATASET_INTAKE } from './dataset-intake.js';
import { JDBC_INTAKE } from './jdbc-intake.js';
import { s3IntakeSource } from './s3-intake.js';

/** Reads a job's external input once into its input parts (CSV, as an upload would have left them). */
export interface IntakeSource {
  /**
   * Writes the input as CSV input part(s) of the job; returns the input bytes read. Throws domain errors
   * (ValidationError / NotSupportedError / ScoringError / a DataSourceError with a user-actionable message
   * that never contains a secret) for problems the user must fix: the job then ends ABORTED with that message.
   * May run again for the same job (prepare retried after a crash); the job's input prefix is emptied first.
   */
  materialize(deps: Deps, job: JobRecord): Promise<number>;
  /**
   * Optional check at job creation, so a job that cannot run is refused instead of created: whatever the
   * settings reference (data store, dataset) must exist and be the owner's (else NotFoundError, HTTP 404), and
   * settings the schema cannot judge (a URL's form) must make sense (else ValidationError naming the field).
   * Stored credentials are checked for every adapter by checkDataSources, so a source need not check
   * `credentialId` itself.
   */
  checkSpec?(deps: Deps, ownerId: string, spec: JobSpec): Promise<void>;
}

/** The intake sources this build has, by `intakeSettings.type` (localFile is the upload path, not a source). */
export const INTAKE_SOURCES: Readonly<Partial<Record<string, IntakeSource>>> = {
  dataset: DATASET_INTAKE,
  s3: s3IntakeSource,
  jdbc: JDBC_INTAKE,
};

/** The source that reads this job's input, or null for an uploaded (localFile) input. */
export function intakeSourceOf(spec: JobSpec): IntakeSource | null {
  return spec.intakeSettings.type === 'localFile' ? null : (INTAKE_SOURCES[spec.intakeSettings.type] ?? null);
}

/**
 * Reads the job's external input into its input parts and returns its size in bytes. Parts left by an earlier,
 * interrupted read are removed first, so a retried prepare never plans stale parts.
 */
export async function materializeInput(deps: Deps, job: JobRecord, spec: JobSpec): Promise<number> {
  const type = spec.intakeSettings.type;
  const source = intakeSourceOf(spec);
  if (!source) {
    throw new NotSupportedError(
      'intakeSettings.type',
      `intakeSettings.type: "${type}" intake is not supported`,
    );
  }
  await deps.objects.deletePrefix(inputPrefix(job.id));
  const size = await source.materialize(deps, job);
  await deps.jobs.appendLog(
    job.id,
    `${deps.clock.now().toISOString()} Input read from ${type}: ${size} bytes`,
  );
  return size;
}
