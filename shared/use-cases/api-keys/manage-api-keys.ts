import { z } from 'zod';
import { type ApiKeyRecord, generateApiKey } from '../../domain/api-key.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';

/** User names become owner ids, so they are kept to characters that are safe in keys, paths and logs. */
export const UserNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/,
    'expected a user name: letters, digits and . _ @ -, at most 128',
  );

export const CreateApiKeySchema = z.object({
  name: z.string().min(1).max(255).describe('What the key is for.'),
  user: UserNameSchema.optional().describe('Admin keys only: the user the new key acts for.'),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeySchema>;

export interface CreatedApiKey {
  readonly record: ApiKeyRecord;
  /** The key itself; it is not stored and cannot be shown again. */
  readonly key: string;
}

/**
 * Creates a key for the caller's user, or, for admin callers, for `user` (a new user needs nothing more
 * than its first key). The new key is an admin key only when an admin creates it for itself.
 */
export async function createApiKey(
  deps: Deps,
  caller: ApiKeyRecord,
  input: CreateApiKeyInput,
): Promise<CreatedApiKey> {
  const { name, user } = parseRequest(CreateApiKeySchema, input);
  const ownerId = user ?? caller.ownerId;
  if (ownerId !== caller.ownerId && !caller.admin) {
    throw new ValidationError([
      { field: 'user', message: 'only admin keys may create keys for another user' },
    ]);
  }
  const { key, hash, prefix } = generateApiKey();
  const record: ApiKeyRecord = {
    id: deps.newId(),
    ownerId,
    name,
    hash,
    prefix,
    admin: caller.admin && ownerId === caller.ownerId,
    created: deps.clock.now().toISOString(),
    revoked: false,
  };
  await deps.apiKeys.create(record);
  return { record, key };
}

/** The user's keys, revoked ones included, oldest first. */
export async function listApiKeys(deps: Deps, ownerId: string): Promise<ApiKeyRecord[]> {
  return deps.apiKeys.list(ownerId);
}

/** Revokes one of the user's keys (revoking twice is fine); NotFoundError for another user's key. */
export async function revokeApiKey(deps: Deps, ownerId: string, id: string): Promise<void> {
  if (!(await deps.apiKeys.revoke(ownerId, id))) throw new NotFoundError('API key', id);
}
