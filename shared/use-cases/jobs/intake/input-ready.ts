/** When a job's input is there to be planned; apart from the intake sources so the dispatcher stays light. */
import type { JobRecord } from '../../../domain/job.js';
import { parseJobSpec } from '../../../domain/job-spec.js';

/**
 * Whether the job may start: an uploaded input must be complete (jobIntakeSize known); an external input is read
 * by prepare itself, so such a job is ready as soon as it exists.
 */
export function isInputReady(job: JobRecord): boolean {
  return job.jobIntakeSize !== null || parseJobSpec(job.spec).intakeSettings.type !== 'localFile';
}
