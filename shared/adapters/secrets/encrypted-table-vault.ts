/**
 * {@link SecretVault} for the local stack: each secret is an item of the resources table, encrypted with
 * AES-256-GCM under a key the stack keeps outside the table (a file only its user can read). GCM authenticates
 * too, and the item's name is bound in as associated data, so a ciphertext copied to another name does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { SecretVault } from '../../ports/secret-vault.js';
import { type ItemKey, ResourceTable } from '../dynamodb/resource-table.js';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const ITEM_TYPE = 'SECRET';
/** The item is owned by nobody a request can name; owner checks never match it. */
const VAULT_OWNER = '#vault';

const SealedSchema = z.strictObject({
  ownerId: z.literal(VAULT_OWNER),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});

export class EncryptedTableVault implements SecretVault {
  private readonly table: ResourceTable;

  /** `key` must be 32 bytes (AES-256). */
  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly key: Buffer,
  ) {
    if (key.length !== KEY_BYTES) throw new RangeError(`The vault key must be ${KEY_BYTES} bytes`);
    this.table = new ResourceTable(client, tableName);
  }

  async put(name: string, value: string): Promise<void> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv).setAAD(Buffer.from(name, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    await this.table.delete(itemKey(name));
    await this.table.putNew(itemKey(name), {
      ownerId: VAULT_OWNER,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    });
  }

  async get(name: string): Promise<string | null> {
    const item = await this.table.read(itemKey(name));
    if (!item) return null;
    const sealed = SealedSchema.parse(item);
    const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(sealed.iv, 'base64'))
      .setAAD(Buffer.from(name, 'utf8'))
      .setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  }

  async delete(name: string): Promise<void> {
    await this.table.delete(itemKey(name));
  }
}

function itemKey(name: string): ItemKey {
  return { type: ITEM_TYPE, id: name };
}
