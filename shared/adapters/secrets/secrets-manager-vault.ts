/**
 * {@link SecretVault} on AWS Secrets Manager: one secret per name under a prefix the stack's IAM policy is scoped
 * to. Secrets are deleted without a recovery window, since a deleted credential must not linger.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretVault } from '../../ports/secret-vault.js';

/**
 * The secret-name prefix of a stack's credentials: derived from its resources table's name, which is unique per
 * stack and known both to the infrastructure (to scope IAM) and to the handlers (from their environment).
 */
export function credentialSecretPrefix(resourcesTableName: string): string {
  return `batchline/${resourcesTableName}/credentials/`;
}

export class SecretsManagerVault implements SecretVault {
  /** `prefix` (e.g. `batchline/credentials/`) is prepended to every name. */
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
  ) {}

  async put(name: string, value: string): Promise<void> {
    const secretId = this.prefix + name;
    try {
      await this.client.send(new CreateSecretCommand({ Name: secretId, SecretString: value }));
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    }
  }

  async get(name: string): Promise<string | null> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.prefix + name }));
      return out.SecretString ?? null;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return null;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: this.prefix + name, ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
