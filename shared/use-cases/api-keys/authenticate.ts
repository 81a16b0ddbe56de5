import { type ApiKeyRecord, hashApiKey } from '../../domain/api-key.js';
import type { Deps } from '../deps.js';

/** `Bearer <key>` (the 3.x client) or `Token <key>` (the 2.x client); the scheme is case-insensitive. */
const AUTHORIZATION = /^(?:Bearer|Token)[ \t]+(\S{1,512})[ \t]*$/i;

/**
 * The active key an Authorization header presents, or null for a missing, malformed, unknown or revoked
 * key. Keys are looked up by their hash, so no comparison of secrets happens here.
 */
export async function authenticate(deps: Deps, authorizationHeader: string): Promise<ApiKeyRecord | null> {
  const key = AUTHORIZATION.exec(authorizationHeader)?.[1];
  if (key === undefined) return null;
  const record = await deps.apiKeys.findByHash(hashApiKey(key));
  return record && !record.revoked ? record : null;
}
