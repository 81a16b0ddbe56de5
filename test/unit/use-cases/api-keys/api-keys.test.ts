import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../../../shared/domain/api-key.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../../shared/domain/errors.js';
import { authenticate } from '../../../../shared/use-cases/api-keys/authenticate.js';
import { ADMIN_USER, bootstrapAdminKey } from '../../../../shared/use-cases/api-keys/bootstrap-admin-key.js';
import {
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../../../shared/use-cases/api-keys/manage-api-keys.js';
import { useEmulatedDeps } from '../deployments/emulated-deps.js';

const deps = useEmulatedDeps();
let users = 0;
const newUser = () => `key-user-${++users}`;

/** An admin caller, as bootstrapping creates it. */
async function adminCaller(): Promise<ApiKeyRecord> {
  const key = `admin-${deps().newId()}`;
  await bootstrapAdminKey(deps(), { key });
  const caller = await authenticate(deps(), `Bearer ${key}`);
  if (!caller) throw new Error('the bootstrap key does not authenticate');
  return caller;
}

async function fieldsOf(attempt: Promise<unknown>): Promise<string[]> {
  const error = await attempt.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems.map((p) => p.field);
}

describe('bootstrapAdminKey', () => {
  it('creates an admin key once and returns it only then', async () => {
    const key = await bootstrapAdminKey(deps());

    expect(key).toMatch(/^bl_[A-Za-z0-9_-]{43}$/);
    expect(await bootstrapAdminKey(deps())).toBeNull();
    expect(await authenticate(deps(), `Bearer ${key}`)).toMatchObject({ ownerId: ADMIN_USER, admin: true });
  });

  it('stores a configured key once, and refuses one too short or revoked', async () => {
    const key = `configured-${deps().newId()}`;

    expect(await bootstrapAdminKey(deps(), { key })).toBe(key);
    expect(await bootstrapAdminKey(deps(), { key })).toBeNull();
    expect(await fieldsOf(bootstrapAdminKey(deps(), { key: 'short' }))).toEqual(['key']);

    const caller = await authenticate(deps(), `Token ${key}`);
    await revokeApiKey(deps(), ADMIN_USER, caller?.id ?? '');
    await expect(bootstrapAdminKey(deps(), { key })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('authenticate', () => {
  it('accepts Bearer and Token headers, whatever the scheme case, and nothing else', async () => {
    const { key, record } = await createApiKey(deps(), await adminCaller(), { name: 'ci', user: newUser() });

    for (const header of [`Bearer ${key}`, `Token ${key}`, `bearer  ${key} `, `TOKEN\t${key}`]) {
      expect(await authenticate(deps(), header)).toEqual(record);
    }
    for (const header of [key, `Basic ${key}`, 'Bearer', `Bearer ${key}x`, `Bearer ${key} extra`, '']) {
      expect(await authenticate(deps(), header)).toBeNull();
    }
  });

  it('refuses a revoked key', async () => {
    const user = newUser();
    const { key, record } = await createApiKey(deps(), await adminCaller(), { name: 'ci', user });

    await revokeApiKey(deps(), user, record.id);

    expect(await authenticate(deps(), `Bearer ${key}`)).toBeNull();
  });
});

describe('createApiKey, listApiKeys, revokeApiKey', () => {
  it('lets an admin create a key for a new user, which acts as that user only', async () => {
    const user = newUser();
    const { record, key } = await createApiKey(deps(), await adminCaller(), { name: 'for alice', user });

    expect(record).toMatchObject({ ownerId: user, name: 'for alice', admin: false, revoked: false });
    expect(record.prefix).toBe(key.slice(0, 8));
    const alice = await authenticate(deps(), `Bearer ${key}`);
    expect(alice?.ownerId).toBe(user);
    if (!alice) return;
    expect(await fieldsOf(createApiKey(deps(), alice, { name: 'escalate', user: newUser() }))).toEqual([
      'user',
    ]);
    expect((await createApiKey(deps(), alice, { name: 'own', user })).record.ownerId).toBe(user);
    expect((await createApiKey(deps(), alice, { name: 'own again' })).record.admin).toBe(false);
  });

  it('keeps admin rights only on keys an admin creates for itself', async () => {
    const admin = await adminCaller();
    expect((await createApiKey(deps(), admin, { name: 'rotation' })).record).toMatchObject({
      ownerId: ADMIN_USER,
      admin: true,
    });
  });

  it('rejects invalid names and user names', async () => {
    const admin = await adminCaller();
    expect(await fieldsOf(createApiKey(deps(), admin, { name: '', user: 'has space' }))).toEqual([
      'name',
      'user',
    ]);
    expect(await fieldsOf(createApiKey(deps(), admin, { name: 'x', user: '#admin' }))).toEqual(['user']);
  });

  it("lists only the user's keys and revokes only the user's keys", async () => {
    const user = newUser();
    const admin = await adminCaller();
    const first = await createApiKey(deps(), admin, { name: 'first', user });
    const second = await createApiKey(deps(), admin, { name: 'second', user });

    expect((await listApiKeys(deps(), user)).map((k) => k.name)).toEqual(['first', 'second']);
    await expect(revokeApiKey(deps(), newUser(), first.record.id)).rejects.toBeInstanceOf(NotFoundError);
    await revokeApiKey(deps(), user, first.record.id);
    expect((await listApiKeys(deps(), user)).map((k) => [k.name, k.revoked])).toEqual([
      ['first', true],
      ['second', false],
    ]);
    expect(await authenticate(deps(), `Token ${second.key}`)).toEqual(second.record);
  });
});
