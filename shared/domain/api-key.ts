/**
 * API keys. A key is shown to its holder once; Batchline keeps only its SHA-256 hash (a key is 256 random
 * bits, so a fast unsalted hash is enough) and its first characters, so listings can tell keys apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

const KEY_PREFIX = 'bl_';
const KEY_BYTES = 32;
const LISTED_CHARS = 8;

export const ApiKeyRecordSchema = z.strictObject({
  id: z.string().min(1),
  /** The user the key acts for; every resource it creates belongs to this owner. */
  ownerId: z.string().min(1),
  name: z.string(),
  /** sha256 hex of the key. */
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'),
  /** The key's first characters, for listings. */
  prefix: z.string(),
  /** Admin keys may create keys for other users. */
  admin: z.boolean(),
  created: z.iso.datetime(),
  revoked: z.boolean(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecordSchema>;

/** A new random key (`bl_` + 32 random bytes, base64url) with the hash and prefix to store. */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: apiKeyPrefix(key) };
}

/** The stored form of a key: sha256, lowercase hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key shown in listings. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, LISTED_CHARS);
}
