import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';

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
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Object keys (job and model ids) and index names are created at run time; scoped to fixed prefixes.',
        appliesTo: [{ regex: '/^Resource::.*\\/(index|jobs|models)\\/\\*$/g' }],
      },
    ],
    true,
  );
}
