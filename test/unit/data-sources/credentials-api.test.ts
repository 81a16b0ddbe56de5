/**
 * The `credentials/` API through the local HTTP server: DataRobot's fields and paging, secrets never returned
 * (nor echoed in a refusal), the vault key file private, and another user's credential answered 404 everywhere,
 * including when a job names it. Encryption at rest is tested on the vault itself (credentials-vault.test.ts).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';

const SECRET = 'wJalrXUtnFEMI-very-secret-7d2';

function asUser(api: TestApi, key: string): TestApi {
  return {
    ...api,
    key,
    call: (method, path, body, options) => api.call(method, path, body, { key, ...options }),
  };
}

describe('the credentials API', () => {
  const api = useLocalStack();

  it('creates, gets, lists (paged, by type) and deletes credentials without ever returning a secret', async () => {
    const s3 = await api().call('POST', 'credentials/', {
      name: 'warehouse bucket',
      credentialType: 's3',
      awsAccessKeyId: 'AKIAEXAMPLE',
      awsSecretAccessKey: SECRET,
      awsSessionToken: `${SECRET}-token`,
      description: 'read-only',
    });
    expect(s3.status, s3.text).toBe(201);
    expect(s3.body).toEqual({
      credentialId: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'warehouse bucket',
      credentialType: 's3',
      description: 'read-only',
      creationDate: expect.any(String),
    });
    expect(s3.headers.get('location')).toMatch(new RegExp(`/credentials/${s3.body.credentialId}/$`));
    const basic = await api().call('POST', 'credentials/', {
      name: 'db',
      credentialType: 'basic',
      user: 'scorer',
      password: SECRET,
    });
    expect(basic.status).toBe(201);

    const got = await api().call('GET', `credentials/${s3.body.credentialId}/`);
    expect(got.body).toEqual(s3.body);
    const page = await api().call('GET', 'credentials/?limit=1');
    expect(page.body).toMatchObject({ count: 1, totalCount: 2, previous: null });
    expect(page.body.next).toMatch(/offset=1/);
    const onlyBasic = await api().call('GET', 'credentials/?types=basic');
    expect((onlyBasic.body.data as { name: string }[]).map((c) => c.name)).toEqual(['db']);
    for (const answer of [s3, basic, got, page, onlyBasic]) expect(answer.text).not.toContain(SECRET);

    expect((await api().call('DELETE', `credentials/${basic.body.credentialId}/`)).status).toBe(204);
    expect((await api().call('GET', `credentials/${basic.body.credentialId}/`)).status).toBe(404);
    expect((await api().call('DELETE', `credentials/${basic.body.credentialId}/`)).status).toBe(404);
  });

  it('keeps the vault key in a file only its user can read', () => {
    expect(statSync(join(api().dataDir, 'vault-key')).mode & 0o777).toBe(0o600);
  });

  it('refuses bad bodies with the field named, never echoing a secret, and a second credential of the same name', async () => {
    const missing = await api().call('POST', 'credentials/', {
      name: 'x',
      credentialType: 's3',
      awsAccessKeyId: 'A',
    });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toHaveProperty('awsSecretAccessKey');
    const wrongType = await api().call('POST', 'credentials/', {
      name: 'x',
      credentialType: 's3',
      awsAccessKeyId: 'A',
      awsSecretAccessKey: { value: SECRET },
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.text).not.toContain(SECRET);
    const unsupported = await api().call('POST', 'credentials/', { name: 'x', credentialType: 'gcp' });
    expect(unsupported.status).toBe(422);
    expect(unsupported.body.message).toMatch(/not supported yet/);
    const body = { name: 'twice', credentialType: 'basic', user: 'u', password: SECRET };
    expect((await api().call('POST', 'credentials/', body)).status).toBe(201);
    const again = await api().call('POST', 'credentials/', body);
    expect(again.status).toBe(409);
    expect(again.text).not.toContain(SECRET);
  });

  it('answers 404 for another user’s credential, also when a job names it', async () => {
    const mine = await api().call('POST', 'credentials/', {
      name: 'mine',
      credentialType: 's3',
      awsAccessKeyId: 'A',
      awsSecretAccessKey: SECRET,
    });
    const bobKey = (await api().call('POST', 'apiKeys/', { name: 'bob', user: 'bob' })).body.key as string;
    const bob = asUser(api(), bobKey);
    const id = mine.body.credentialId as string;
    expect((await bob.call('GET', `credentials/${id}/`)).status).toBe(404);
    expect((await bob.call('DELETE', `credentials/${id}/`)).status).toBe(404);
    expect((await bob.call('GET', 'credentials/')).body).toMatchObject({ count: 0, totalCount: 0, data: [] });
    const job = await bob.call('POST', 'batchPredictions/', {
      deploymentId: 'a'.repeat(24),
      intakeSettings: { type: 's3', url: 's3://bucket/key.csv', credentialId: id },
    });
    expect(job.status).toBe(404);
    expect(job.body.message).toBe(`credential ${id} not found`);
    expect((await api().call('GET', `credentials/${id}/`)).status).toBe(200);
  });
});
