import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { credentialSecretPrefix } from '../../shared/adapters/secrets/secrets-manager-vault.js';

/** What the credential vault does with its secrets (shared/adapters/secrets/secrets-manager-vault.ts). */
const CREDENTIAL_SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:DeleteSecret',
];

/** Object actions the handlers use; spelled out, never `s3:*Object*` wildcards. */
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];
const ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

export interface DataAccessTargets {
  readonly bucket: s3.IBucket;
  /** Key prefixes (ending in `/`) the handler may read and write, e.g. `jobs/`, `models/`. */
  readonly prefixes: readonly string[];
  readonly tables: readonly dynamodb.ITable[];
  readonly uploadSecret: secretsmanager.ISecret;
  /**
   * The resources table, whose name prefixes the stored credentials' secrets (`credentialSecretPrefix`); when
   * given, the role may create, read, update and delete those secrets and no others.
   */
  readonly credentialsTable?: dynamodb.ITable;
  /** Customer buckets jobs may read and write with the stack's own role (S3 intake/output without a credential). */
  readonly externalBuckets?: readonly string[];
}

/** The path segments the granted `.../<segment>/*` resources end in: the key prefixes and the tables' indexes. */
function wildcardParents(prefixes: readonly string[]): string[] {
  return ['index', ...prefixes.map((prefix) => prefix.replace(/\/$/, '').replace(/[^A-Za-z0-9_-]/g, '\\$&'))];
}

/**
 * Gives a handler's role (a Lambda function's, the Fargate worker's task role) exactly the data access the use cases need: objects under Batchline's prefixes, items and
 * owner indexes of its tables, and the upload-signing secret. Object and index ARNs end in `/*` because keys
 * and index names are only known at run time; cdk-nag is told so, scoped to those resources.
 */
export function grantDataAccess(role: iam.IRole, targets: DataAccessTargets): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: OBJECT_ACTIONS,
      resources: targets.prefixes.map((prefix) => targets.bucket.arnForObjects(`${prefix}*`)),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [targets.bucket.bucketArn],
      conditions: {
        'ForAllValues:StringLike': { 's3:prefix': targets.prefixes.map((prefix) => `${prefix}*`) },
      },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ITEM_ACTIONS,
      resources: targets.tables.flatMap((table) => [table.tableArn, `${table.tableArn}/index/*`]),
    }),
  );
  targets.uploadSecret.grantRead(role);
  const external = targets.externalBuckets ?? [];
  if (external.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListBucket'],
        resources: external.flatMap((name) => [
          `arn:${Stack.of(role).partition}:s3:::${name}`,
          `arn:${Stack.of(role).partition}:s3:::${name}/*`,
        ]),
      }),
    );
  }
  if (targets.credentialsTable) {
    const stack = Stack.of(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: CREDENTIAL_SECRET_ACTIONS,
        resources: [
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${credentialSecretPrefix(targets.credentialsTable.tableName)}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Object keys (job and model ids) and index names are created at run time; scoped to fixed prefixes.',
        appliesTo: [{ regex: `/^Resource::.*\\/(${wildcardParents(targets.prefixes).join('|')})\\/\\*$/g` }],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Credential secrets are named by credential id at run time; scoped to the stack's own prefix.",
        appliesTo: [{ regex: '/^Resource::arn:.*:secretsmanager:.*\\/credentials\\/\\*$/g' }],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The customer named these buckets (externalBuckets) for jobs to read and write whatever keys their specs give.',
        appliesTo: [{ regex: '/^Resource::arn:.*:s3:::[^/]+\\/\\*$/g' }],
      },
    ],
    true,
  );
}
