/** Stored API keys, looked up by the hash of the key a request presents. */
import type { ApiKeyRecord } from '../domain/api-key.js';

export interface ApiKeyStore {
  /** Stores a new key; id and hash must be new. */
  create(record: ApiKeyRecord): Promise<void>;
  /** The key with this hash, revoked or not (the caller decides), or null. */
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  /** The owner's keys, revoked ones included, oldest first. */
  list(ownerId: string): Promise<ApiKeyRecord[]>;
  /** Revokes the owner's key; false when there is no such key of this owner. Revoking twice is true. */
  revoke(ownerId: string, id: string): Promise<boolean>;
}
