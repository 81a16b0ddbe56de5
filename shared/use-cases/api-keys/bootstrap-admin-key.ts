import { type ApiKeyRecord, apiKeyPrefix, generateApiKey, hashApiKey } from '../../domain/api-key.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import type { Deps } from '../deps.js';

/** The user that owns the bootstrap key. */
export const ADMIN_USER = 'admin';
const MIN_KEY_CHARS = 16;

/**
 * Makes sure the `admin` user has an active admin key: the configured `key` (BATCHLINE_API_KEY, or the
 * deploy-time secret on AWS) when given, else any existing admin key, else a new one. Returns the key when
 * this call stored it (so a first start can print it), null when it already existed.
 */
export async function bootstrapAdminKey(deps: Deps, options: { key?: string } = {}): Promise<string | null> {
  if (options.key !== undefined) return ensureConfiguredKey(deps, options.key);
  const existing = await deps.apiKeys.list(ADMIN_USER);
  if (existing.some((record) => record.admin && !record.revoked)) return null;
  const { key, hash, prefix } = generateApiKey();
  await deps.apiKeys.create(adminRecord(deps, hash, prefix));
  return key;
}

async function ensureConfiguredKey(deps: Deps, key: string): Promise<string | null> {
  if (key.length < MIN_KEY_CHARS || /\s/.test(key)) {
    throw new ValidationError([
      { field: 'key', message: `expected at least ${MIN_KEY_CHARS} characters without spaces` },
    ]);
  }
  const hash = hashApiKey(key);
  const existing = await deps.apiKeys.findByHash(hash);
  if (!existing) {
    await deps.apiKeys.create(adminRecord(deps, hash, apiKeyPrefix(key)));
    return key;
  }
  if (existing.revoked || !existing.admin || existing.ownerId !== ADMIN_USER) {
    // Reviving it would silently undo a revocation or a demotion; make the operator choose another key.
    throw new ConflictError(
      'the configured API key exists but is revoked or is not the admin key: configure another',
    );
  }
  return null;
}

function adminRecord(deps: Deps, hash: string, prefix: string): ApiKeyRecord {
  return {
    id: deps.newId(),
    ownerId: ADMIN_USER,
    name: 'bootstrap admin key',
    hash,
    prefix,
    admin: true,
    created: deps.clock.now().toISOString(),
    revoked: false,
  };
}
