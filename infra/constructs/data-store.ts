import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { JOBS_TABLE, RESOURCES_TABLE } from '../../shared/adapters/dynamodb/tables.js';
import { DROP_ROOT } from '../../shared/domain/job-definition.js';

/**
 * Key prefix of everything a job stores (input, chunk plan, parts, output); it expires after the retention, as do
 * objects dropped for S3-drop triggers (`drops/`). Only these prefixes expire: `models/` and the dataset catalog's
 * `datasets/` live until they are deleted.
 */
export const JOB_DATA_PREFIX = 'jobs/';

const HOURS_PER_DAY = 24;
const ACCESS_LOG_DAYS = 90;

/**
 * S3 lifecycle rules count whole days, so a retention in hours is rounded up: data is kept at least as long as
 * promised, and S3 removes it within a day after that (its expiry runs asynchronously).
 */
export function lifecycleDays(retentionHours: number): number {
  if (!Number.isFinite(retentionHours) || retentionHours <= 0) {
    throw new Error(`retentionHours must be a positive number, got ${retentionHours}`);
  }
  return Math.ceil(retentionHours / HOURS_PER_DAY);
}

export interface DataStoreProps {
  /** How long job data (`jobs/`) is kept, in hours; rounded up to whole days. */
  readonly retentionHours: number;
}

type TableLayout = typeof JOBS_TABLE | typeof RESOURCES_TABLE;

/**
 * Everything Batchline stores: one bucket (models and job data, see docs/api.md "Object layout"), its access-log
 * bucket, and the jobs and resources tables. Data is retained when the stack is deleted.
 */
export class DataStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly logsBucket: s3.Bucket;
  readonly jobsTable: dynamodb.Table;
  readonly resourcesTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataStoreProps) {
    super(scope, id);
    this.logsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs, so this one bucket keeps them enabled.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Data', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3/',
      // Upload completion reaches the API through EventBridge (docs/data-plane.md).
      eventBridgeEnabled: true,
      lifecycleRules: [
        {
          id: 'ExpireJobData',
          prefix: JOB_DATA_PREFIX,
          expiration: Duration.days(lifecycleDays(props.retentionHours)),
        },
        // A dropped object is copied into its job's input when its event is handled, so it is job data too.
        {
          id: 'ExpireDrops',
          prefix: DROP_ROOT,
          expiration: Duration.days(lifecycleDays(props.retentionHours)),
        },
        { id: 'AbortStaleMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.jobsTable = this.table('Jobs', JOBS_TABLE);
    this.resourcesTable = this.table('Resources', RESOURCES_TABLE);
  }

  private table(id: string, layout: TableLayout): dynamodb.Table {
    const string = dynamodb.AttributeType.STRING;
    const table = new dynamodb.Table(this, id, {
      partitionKey: { name: layout.partitionKey, type: string },
      sortKey: { name: layout.sortKey, type: string },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: layout.ownerIndex.name,
      partitionKey: { name: layout.ownerIndex.partitionKey, type: string },
      sortKey: { name: layout.ownerIndex.sortKey, type: string },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    return table;
  }
}
