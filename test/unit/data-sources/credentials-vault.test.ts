/**
 * Where credential secrets live: the local vault (AES-256-GCM items in the resources table, on dynalite), the
 * Secrets Manager vault (mocked client: the calls and the names it uses), and the credential store over a vault
 * (records per owner, secrets only through secretOf).
 */
import { randomBytes } from 'node:crypto';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import { EncryptedTableVault } from '../../../shared/adapters/secrets/encrypted-table-vault.js';
import {
  credentialSecretPrefix,
  SecretsManagerVault,
} from '../../../shared/adapters/secrets/secrets-manager-vault.js';
import { VaultCredentialStore } from '../../../shared/adapters/secrets/vault-credential-store.js';
import type { CredentialRecord } from '../../../shared/domain/credential.js';
import { useEmulators } from '../../support/emulators.js';

const TABLE = 'resources-vault-test';
const SECRET = 'plain-secret-value-91b3';

describe('the local encrypted vault', () => {
  const emulators = useEmulators();
  const key = randomBytes(32);
  beforeAll(() => createTables(emulators.dynamo, { jobs: 'jobs-vault-test', resources: TABLE }));

  it('round-trips secrets and stores only ciphertext', async () => {
    const vault = new EncryptedTableVault(emulators.dynamo, TABLE, key);
    await vault.put('one', SECRET);
    await vault.put('one', `${SECRET}-replaced`);
    expect(await vault.get('one')).toBe(`${SECRET}-replaced`);
    const items = await emulators.dynamo.send(new ScanCommand({ TableName: TABLE }));
    expect(JSON.stringify(items.Items)).not.toContain(SECRET);
    await vault.delete('one');
    expect(await vault.get('one')).toBeNull();
    await vault.delete('one');
  });

  it('opens nothing with another key, nor a ciphertext copied under another name', async () => {
    const vault = new EncryptedTableVault(emulators.dynamo, TABLE, key);
    await vault.put('two', SECRET);
    await expect(
      new EncryptedTableVault(emulators.dynamo, TABLE, randomBytes(32)).get('two'),
    ).rejects.toThrow();
    const items = await emulators.dynamo.send(new ScanCommand({ TableName: TABLE }));
    const sealed = (items.Items ?? []).find((item) => item.pk?.S === 'SECRET#two') ?? {};
    await emulators.dynamo.send(
      new PutItemCommand({ TableName: TABLE, Item: { ...sealed, pk: { S: 'SECRET#three' } } }),
    );
    await expect(vault.get('three')).rejects.toThrow();
  });

  it('refuses a key that is not 256 bits', () => {
    expect(() => new EncryptedTableVault(emulators.dynamo, TABLE, randomBytes(16))).toThrow(/32 bytes/);
  });

  it('backs a credential store that gives secrets only to their owner and deletes them with the record', async () => {
    const vault = new EncryptedTableVault(emulators.dynamo, TABLE, key);
    const store = new VaultCredentialStore(emulators.dynamo, TABLE, vault);
    const record: CredentialRecord = {
      id: 'c'.repeat(24),
      ownerId: 'alice',
      name: 'bucket',
      credentialType: 's3',
      description: '',
      created: new Date().toISOString(),
    };
    const secret = { credentialType: 's3', awsAccessKeyId: 'A', awsSecretAccessKey: SECRET } as const;
    await store.create(record, secret);
    expect(await store.get('alice', record.id)).toEqual(record);
    expect(await store.secretOf('alice', record.id)).toEqual(secret);
    expect(await store.get('bob', record.id)).toBeNull();
    expect(await store.secretOf('bob', record.id)).toBeNull();
    expect(await store.delete('bob', record.id)).toBe(false);
    expect(await store.list('alice')).toEqual([record]);
    expect(await store.delete('alice', record.id)).toBe(true);
    expect(await vault.get(record.id)).toBeNull();
    expect(await store.list('alice')).toEqual([]);
  });
});

describe('the Secrets Manager vault', () => {
  const prefix = credentialSecretPrefix('batchline-resources');

  it('creates a secret under the stack’s prefix, or puts a new value when it exists', async () => {
    const client = mockClient(SecretsManagerClient);
    const vault = new SecretsManagerVault(new SecretsManagerClient({ region: 'us-east-1' }), prefix);
    client
      .on(CreateSecretCommand)
      .resolvesOnce({})
      .rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    client.on(PutSecretValueCommand).resolves({});
    await vault.put('abc', SECRET);
    await vault.put('abc', 'second');
    expect(client.commandCalls(CreateSecretCommand)[0]?.args[0].input).toEqual({
      Name: 'batchline/batchline-resources/credentials/abc',
      SecretString: SECRET,
    });
    expect(client.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'batchline/batchline-resources/credentials/abc',
      SecretString: 'second',
    });
    client.restore();
  });

  it('reads a missing secret as null and deletes without a recovery window, missing or not', async () => {
    const client = mockClient(SecretsManagerClient);
    const vault = new SecretsManagerVault(new SecretsManagerClient({ region: 'us-east-1' }), prefix);
    const missing = new ResourceNotFoundException({ message: 'missing', $metadata: {} });
    client.on(GetSecretValueCommand, { SecretId: `${prefix}gone` }).rejects(missing);
    client.on(GetSecretValueCommand, { SecretId: `${prefix}here` }).resolves({ SecretString: SECRET });
    client.on(DeleteSecretCommand).resolvesOnce({}).rejects(missing);
    expect(await vault.get('gone')).toBeNull();
    expect(await vault.get('here')).toBe(SECRET);
    await vault.delete('here');
    await vault.delete('here');
    expect(client.commandCalls(DeleteSecretCommand)[0]?.args[0].input).toEqual({
      SecretId: `${prefix}here`,
      ForceDeleteWithoutRecovery: true,
    });
    client.restore();
  });
});
