/**
 * Stored credentials: public records per owner, with their secrets kept in a {@link SecretVault}. A credential of
 * another owner is indistinguishable from a missing one.
 */
import type { CredentialRecord, CredentialSecret } from '../domain/credential.js';

export type { CredentialRecord, CredentialSecret } from '../domain/credential.js';

export interface CredentialStore {
  /** Stores a new credential and its secret; the id must be new. */
  create(record: CredentialRecord, secret: CredentialSecret): Promise<void>;
  /** The owner's credential, or null (also when it is another owner's). */
  get(ownerId: string, credentialId: string): Promise<CredentialRecord | null>;
  /** The owner's credentials, oldest first. */
  list(ownerId: string): Promise<CredentialRecord[]>;
  /** Removes the owner's credential and its secret; false when there is no such credential of this owner. */
  delete(ownerId: string, credentialId: string): Promise<boolean>;
  /** The secret of the owner's credential, or null when there is no such credential of this owner. */
  secretOf(ownerId: string, credentialId: string): Promise<CredentialSecret | null>;
}
