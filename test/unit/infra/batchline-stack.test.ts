import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchlineStack } from '../../../infra/stacks/batchline-stack.js';
import { JOBS_TABLE, RESOURCES_TABLE } from '../../../shared/adapters/dynamodb/tables.js';

const MODULES = [
  { handler: 'version', prefixes: ['version'] },
  { handler: 'batch-predictions', prefixes: ['batchPredictions'] },
];
const DOWNLOAD = { path: '/batchPredictions/{id}/download', handler: 'download' };

type Resources = Record<string, { Properties: Record<string, unknown> }>;

let stack: BatchlineStack;
let template: Template;

beforeAll(() => {
  const app = new App();
  stack = new BatchlineStack(app, 'Test', {
    env: { account: '111111111111', region: 'eu-west-1' },
    apiModules: MODULES,
    streamingRoutes: [DOWNLOAD],
    onnxRuntimeModules: ['batch-predictions'],
    uploadReceivedModule: 'upload-received',
    jobRunnerModule: 'job-runner',
    retentionHours: 49,
    bundle: false,
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  template = Template.fromStack(stack);
});

function resourcePaths(): string[] {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const byId = new Map(Object.entries(resources).map(([id, r]) => [id, r.Properties]));
  const pathOf = (id: string): string => {
    const props = byId.get(id);
    if (props === undefined) return '';
    const parent = props.ParentId as { Ref?: string };
    return `${parent.Ref === undefined ? '' : pathOf(parent.Ref)}/${props.PathPart as string}`;
  };
  return [...byId.keys()].map(pathOf).sort();
}

describe('BatchlineStack data', () => {
  it('encrypts the bucket, blocks public access, denies plain HTTP and logs access to the logs bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 's3/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('expires job data after the retention rounded up to whole days, and nothing else', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'ExpireJobData', Prefix: 'jobs/', ExpirationInDays: 3, Status: 'Enabled' },
        ]),
      },
    });
  });

  it('creates both tables on demand with point-in-time recovery and the adapters key schema', () => {
    for (const layout of [JOBS_TABLE, RESOURCES_TABLE]) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [
          { AttributeName: layout.partitionKey, KeyType: 'HASH' },
          { AttributeName: layout.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: layout.ownerIndex.name,
            KeySchema: [
              { AttributeName: layout.ownerIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: layout.ownerIndex.sortKey, KeyType: 'RANGE' },
            ],
          }),
        ],
      });
    }
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });
});

describe('BatchlineStack upload data plane', () => {
  it('runs the signed-URL check as a cloudfront-js-2.0 function with the signing key store', () => {
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionConfig: Match.objectLike({
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [{ KeyValueStoreARN: Match.anyValue() }],
      }),
      FunctionCode: Match.stringLikeRegexp('delete request\\.headers\\.authorization'),
    });
  });

  it('sends /upload/* to S3 through OAC with the request and response functions, and finalize to the API', () => {
    const distribution = template.findResources('AWS::CloudFront::Distribution') as Resources;
    const config = Object.values(distribution)[0]?.Properties.DistributionConfig as {
      CacheBehaviors: Array<{ PathPattern: string; TargetOriginId: string; FunctionAssociations: unknown[] }>;
      Origins: Array<{
        Id: string;
        OriginAccessControlId?: unknown;
        CustomOriginConfig?: unknown;
        OriginPath?: string;
      }>;
    };
    const [finalize, upload] = config.CacheBehaviors;
    expect(finalize?.PathPattern).toBe('/upload/*/finalizeMultipart');
    expect(upload?.PathPattern).toBe('/upload/*');
    expect(upload?.FunctionAssociations.map((a) => (a as { EventType: string }).EventType)).toEqual([
      'viewer-request',
      'viewer-response',
    ]);
    const originOf = (id: string | undefined) => config.Origins.find((origin) => origin.Id === id);
    expect(originOf(upload?.TargetOriginId)?.OriginAccessControlId).toBeDefined();
    expect(originOf(finalize?.TargetOriginId)).toMatchObject({ OriginPath: '/prod', CustomOriginConfig: {} });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
  });

  it('lets CloudFront write job input objects only, for this distribution only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DataPlaneWritesJobInput',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [Match.anyValue(), '/jobs/*/input/*']] },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('starts upload-received from S3 single-PUT uploads through EventBridge, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { object: { key: [{ wildcard: 'jobs/*/input/000000' }] } },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
  });
});

describe('BatchlineStack API', () => {
  it('routes every module prefix and everything below it, and gives the download its own resource', () => {
    expect(resourcePaths()).toEqual([
      '/api',
      '/api/v2',
      '/api/v2/batchPredictions',
      '/api/v2/batchPredictions/{id}',
      '/api/v2/batchPredictions/{id}/download',
      '/api/v2/batchPredictions/{id}/download/{proxy+}',
      '/api/v2/batchPredictions/{id}/{proxy+}',
      '/api/v2/version',
      '/api/v2/version/{proxy+}',
    ]);
  });

  it('streams the download integration and buffers the others', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Resources);
    const modes = methods.map(
      (m) => (m.Properties.Integration as { ResponseTransferMode?: string }).ResponseTransferMode,
    );
    expect(modes.filter((mode) => mode === 'STREAM')).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        ResponseTransferMode: 'STREAM',
        Uri: {
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('response-streaming-invocations')])],
        },
      },
    });
  });

  it('is a regional REST API with access logs and throttling, no CORS', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Resources);
    expect(methods.some((m) => m.Properties.HttpMethod === 'OPTIONS')).toBe(false);
  });

  it('makes one arm64 nodejs22.x function per handler module; streaming and job runner get 15 minutes', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter(
      (f) => f.Properties.Runtime === 'nodejs22.x',
    );
    expect(functions).toHaveLength(5);
    for (const fn of functions) expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(functions.map((f) => f.Properties.Timeout).sort()).toEqual([29, 29, 29, 900, 900]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Test-job-runner',
      MemorySize: 3008,
      Environment: {
        Variables: Match.objectLike({
          DATA_PLANE_URL: Match.anyValue(),
          JOB_RUNNER_FUNCTION_NAME: 'Test-job-runner',
        }),
      },
    });
  });

  it('lets the API handlers start the job runner', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]),
      },
    });
  });

  it('grants no wildcard actions to anyone', () => {
    const policies = template.findResources('AWS::IAM::Policy') as Resources;
    const actions = Object.values(policies).flatMap((policy) =>
      (
        policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }
      ).Statement.flatMap((statement) => statement.Action),
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('outputs the API URL, the data plane URL and the bucket name', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('DataPlaneUrl', { Value: Match.anyValue() });
    template.hasOutput('BucketName', { Value: Match.anyValue() });
  });
});

describe('BatchlineStack cdk-nag', () => {
  it('has no unsuppressed AwsSolutions errors', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).split('\n')[0]}`)).toEqual([]);
  });
});
