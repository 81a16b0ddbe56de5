import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Length of the generated key: letters and digits only, so it survives shells, headers and config files. */
export const ADMIN_KEY_LENGTH = 48;

/**
 * The first admin API key, generated at deploy time in Secrets Manager. The API handlers store its hash on their
 * first cold start (functions/aws-deps.ts); the operator reads it once to call the API (docs/deploy.md).
 */
export class AdminKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Batchline bootstrap admin API key (Authorization: Token <key>)',
      generateSecretString: {
        passwordLength: ADMIN_KEY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
    });
    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'An API key, not a credential AWS can rotate: admins create their own keys through apiKeys/ and revoke this one.',
      },
    ]);
  }
}
