import type { CredentialRecord } from '../../domain/credential.js';

/** A stored credential as DataRobot returns it: its public fields only, never a secret. */
export function credentialDocument(c: CredentialRecord): Record<string, unknown> {
  return {
    credentialId: c.id,
    name: c.name,
    credentialType: c.credentialType,
    description: c.description,
    creationDate: c.created,
  };
}
