import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiKeyRecordSchema, generateApiKey, hashApiKey } from '../../../shared/domain/api-key.js';

describe('generateApiKey', () => {
  it('makes a bl_ key of 32 random bytes with its sha256 hash and an 8-character prefix', () => {
    const { key, hash, prefix } = generateApiKey();

    expect(key).toMatch(/^bl_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(prefix).toBe(key.slice(0, 8));
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });
});

describe('hashApiKey', () => {
  it('is lowercase sha256 hex, which the record schema accepts', () => {
    // The FIPS 180-2 test vector.
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const hash = hashApiKey('bl_example');
    const record = {
      id: 'k',
      ownerId: 'u',
      name: '',
      hash,
      prefix: 'bl_examp',
      admin: false,
      created: new Date(0).toISOString(),
      revoked: false,
    };
    expect(ApiKeyRecordSchema.parse(record)).toEqual(record);
    expect(ApiKeyRecordSchema.safeParse({ ...record, hash: hash.toUpperCase() }).success).toBe(false);
  });
});
