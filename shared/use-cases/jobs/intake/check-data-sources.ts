/**
 * The job-creation check of a spec's intake and output: every stored resource it names must be the caller's (a
 * credential, data store or dataset of another owner, or none at all, is answered 404 before the job exists, as
 * DataRobot does), and each adapter may check its settings further (see IntakeSource.checkSpec).
 */
import { NotFoundError } from '../../../domain/errors.js';
import type { JobSpec } from '../../../domain/job-spec.js';
import type { Deps } from '../../deps.js';
import { OUTPUT_SINKS } from '../output/output-sinks.js';
import { INTAKE_SOURCES } from './intake-sources.js';

/** Settings fields that name a stored credential, on any adapter. */
const CREDENTIAL_FIELDS = ['credentialId', 'cloudStorageCredentialId'] as const;

/**
 * Throws NotFoundError for the first referenced credential, data store or dataset the owner does not have, or
 * the adapter's ValidationError for settings it cannot run with.
 */
export async function checkDataSources(deps: Deps, ownerId: string, spec: JobSpec): Promise<void> {
  for (const settings of [spec.intakeSettings, spec.outputSettings]) {
    for (const field of CREDENTIAL_FIELDS) {
      const id = (settings as Partial<Record<string, unknown>>)[field];
      if (typeof id === 'string' && !(await deps.credentials.get(ownerId, id))) {
        throw new NotFoundError('credential', id.slice(0, 64));
      }
    }
  }
  await INTAKE_SOURCES[spec.intakeSettings.type]?.checkSpec?.(deps, ownerId, spec);
  await OUTPUT_SINKS[spec.outputSettings.type]?.checkSpec?.(deps, ownerId, spec);
}
