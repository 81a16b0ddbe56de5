/**
 * {@link CredentialStore}: the public record on the resources table (listed through the owner index), the secret
 * in a {@link SecretVault} under the credential's id. The secret is written first and removed last, so a record
 * never points at a missing secret for longer than a failed request leaves it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type CredentialRecord,
  CredentialRecordSchema,
  type CredentialSecret,
  CredentialSecretSchema,
} from '../../domain/credential.js';
import { ConflictError } from '../../domain/errors.js';
import type { CredentialStore } from '../../ports/credential-store.js';
import type { SecretVault } from '../../ports/secret-vault.js';
import { type ItemKey, ResourceTable } from '../dynamodb/resource-table.js';

const ITEM_TYPE = 'CREDENTIAL';

export class VaultCredentialStore implements CredentialStore {
  private readonly table: ResourceTable;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly vault: SecretVault,
  ) {
    this.table = new ResourceTable(client, tableName);
  }

  async create(record: CredentialRecord, secret: CredentialSecret): Promise<void> {
    await this.vault.put(record.id, JSON.stringify(secret));
    if (!(await this.table.putNew(itemKey(record.id), record, record))) {
      throw new ConflictError(`Credential ${record.id} already exists`);
    }
  }

  async get(ownerId: string, credentialId: string): Promise<CredentialRecord | null> {
    const item = await this.table.readOwned(itemKey(credentialId), ownerId);
    return item && CredentialRecordSchema.parse(item);
  }

  async list(ownerId: string): Promise<CredentialRecord[]> {
    const items = await this.table.listOwned(ownerId, ITEM_TYPE, 'oldestFirst');
    return items.map((item) => CredentialRecordSchema.parse(item));
  }

  async delete(ownerId: string, credentialId: string): Promise<boolean> {
    if (!(await this.table.deleteOwned(itemKey(credentialId), ownerId))) return false;
    await this.vault.delete(credentialId);
    return true;
  }

  async secretOf(ownerId: string, credentialId: string): Promise<CredentialSecret | null> {
    if (!(await this.get(ownerId, credentialId))) return null;
    const stored = await this.vault.get(credentialId);
    return stored === null ? null : CredentialSecretSchema.parse(JSON.parse(stored));
  }
}

function itemKey(id: string): ItemKey {
  return { type: ITEM_TYPE, id };
}
