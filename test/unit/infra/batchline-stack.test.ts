import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchlineStack } from '../../../infra/stacks/batchline-stack.js';
import { JOBS_TABLE, RESOURCES_TABLE } from '../../../shared/adapters/dynamodb/tables.js';
import { allowStatements, MANAGED_POLICIES, managedPolicyNames, overlyBroadGrants } from './iam-grants.js';

const MODULES = [
  { handler: 'version', prefixes: ['version'] },
  { handler: 'batch-predictions', prefixes: ['batchPredictions'] },
];
const DOWNLOAD = { path: '/batchPredictions/{id}/download', handler: 'download' };
const ALL_MODULES = [
  'version',
  'batch-predictions',
  'download',
  'upload-received',
  'step-prepare',
  'step-score-chunk',
  'step-finalize',
  'step-fail',
  'job-definitions',
  'run-scheduled-definition',
  's3-drop',
];
const MACHINE_ARN_TAIL = ':states:eu-west-1:111111111111:stateMachine:Test-jobs';

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
    retentionHours: 49,
    jobRuntimeLimitHours: 3,
    maxConcurrentJobsPerDeployment: 2,
    bundle: false,
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  template = Template.fromStack(stack);
  // Synthesis with every cdk-nag rule takes several seconds, more on a busy machine.
}, 120_000);

/** The logical id of the function serving a handler module (found by the service name the stack gives it). */
function functionIdOf(module: string): string {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: `batchline-${module}` }) },
    },
  });
  const ids = Object.keys(functions);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The properties of the function serving a handler module. */
function functionOf(module: string): Record<string, unknown> {
  const fn = (template.findResources('AWS::Lambda::Function') as Resources)[functionIdOf(module)];
  if (fn === undefined) throw new Error(`no function for ${module}`);
  return fn.Properties;
}

function envOf(module: string): Record<string, unknown> {
  return (functionOf(module).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every statement of the policies attached to the role of `module`'s function. */
function statementsOf(module: string): Array<{ Action: unknown; Resource: unknown }> {
  const roleId = (functionOf(module).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((policy) =>
    (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId),
  );
  return policies.flatMap(
    (policy) =>
      (policy.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> })
        .Statement,
  );
}

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

  it('encrypts every bucket and queue, blocks public access to every bucket, and refuses plain HTTP to all', () => {
    const buckets = Object.entries(template.findResources('AWS::S3::Bucket') as Resources);
    expect(buckets).toHaveLength(2);
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy') as Resources);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties, id).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [expect.anything()] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      const policy = policies.find((p) => (p.Properties.Bucket as { Ref?: string }).Ref === id);
      expect(JSON.stringify(policy?.Properties.PolicyDocument), id).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
    const queues = Object.entries(template.findResources('AWS::SQS::Queue') as Resources);
    expect(queues.length).toBeGreaterThan(0);
    const queuePolicies = JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'));
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      expect(queuePolicies, id).toContain(`{"Ref":"${id}"}`);
    }
    expect(queuePolicies).toContain('"aws:SecureTransport":"false"');
  });

  it('expires job data after the retention rounded up to whole days, and nothing else', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'ExpireJobData', Prefix: 'jobs/', ExpirationInDays: 3, Status: 'Enabled' },
          { Id: 'ExpireDrops', Prefix: 'drops/', ExpirationInDays: 3, Status: 'Enabled' },
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
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionIdOf('upload-received'), 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionIdOf('upload-received'), 'Arn'] },
      Principal: 'events.amazonaws.com',
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
      HttpMethod: 'ANY',
      Integration: {
        ResponseTransferMode: 'STREAM',
        Uri: {
          'Fn::Join': [
            '',
            Match.arrayWith([
              { 'Fn::GetAtt': [functionIdOf('download'), 'Arn'] },
              Match.stringLikeRegexp('response-streaming-invocations'),
            ]),
          ],
        },
      },
    });
  });

  it('is a regional REST API with access logs and throttling, no CORS', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      BinaryMediaTypes: ['multipart/form-data'],
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Resources);
    expect(methods.some((m) => m.Properties.HttpMethod === 'OPTIONS')).toBe(false);
  });

  it('makes one arm64 nodejs22.x function per handler module, tagged with it; streaming and steps get more time', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter(
      (f) => f.Properties.Runtime === 'nodejs22.x',
    );
    expect(functions).toHaveLength(11);
    for (const fn of functions) expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(functions.map((f) => f.Properties.Timeout).sort()).toEqual([
      29, 29, 29, 29, 29, 29, 300, 900, 900, 900, 900,
    ]);
    for (const module of ALL_MODULES) {
      expect(functionOf(module).Tags).toContainEqual({ Key: 'batchline:module', Value: module });
    }
  });

  it('tells every handler the state machine ARN, the runtime limit and the queueing limit', () => {
    for (const module of ALL_MODULES) {
      expect(envOf(module)).toMatchObject({
        DATA_PLANE_URL: expect.anything(),
        STATE_MACHINE_ARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, MACHINE_ARN_TAIL]] },
        JOB_RUNTIME_LIMIT_HOURS: '3',
        MAX_CONCURRENT_JOBS_PER_DEPLOYMENT: '2',
      });
      expect(envOf(module).JOB_RUNNER_FUNCTION_NAME).toBeUndefined();
    }
  });

  it('lets every handler start executions of its state machine only, and the API handlers stop them', () => {
    const machineArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, MACHINE_ARN_TAIL]] };
    const executions = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':states:eu-west-1:111111111111:execution:Test-jobs:*'],
      ],
    };
    for (const module of ALL_MODULES) {
      expect(statementsOf(module)).toContainEqual(
        expect.objectContaining({ Action: 'states:StartExecution', Resource: machineArn }),
      );
      const stops = statementsOf(module).filter((s) => s.Action === 'states:StopExecution');
      expect(stops).toEqual(
        ['version', 'batch-predictions', 'download'].includes(module)
          ? [expect.objectContaining({ Resource: executions })]
          : [],
      );
    }
    // Only the state machine invokes the steps; no handler invokes a function.
    const handlerActions = ALL_MODULES.flatMap((module) => statementsOf(module).flatMap((s) => s.Action));
    expect(handlerActions).not.toContain('lambda:InvokeFunction');
  });

  it('sizes the download for streaming, and the model-loading steps as the worker choice assumes', () => {
    expect(functionOf('download')).toMatchObject({ Timeout: 900, MemorySize: 1024 });
    expect(functionOf('step-prepare')).toMatchObject({ Timeout: 900, MemorySize: 3008 });
    expect(functionOf('step-score-chunk')).toMatchObject({ Timeout: 900, MemorySize: 3008 });
    expect(functionOf('step-finalize')).toMatchObject({ Timeout: 900, MemorySize: 1024 });
    expect(functionOf('step-fail')).toMatchObject({ Timeout: 300, MemorySize: 1024 });
    expect(functionOf('upload-received').Timeout).toBe(29);
  });

  it('grants no wildcard actions, and "*" resources only to actions that have no narrower resource', () => {
    expect(allowStatements(template).length).toBeGreaterThan(0);
    expect(overlyBroadGrants(template)).toEqual([]);
    const managed = managedPolicyNames(template);
    expect(managed.filter((name) => !(name in MANAGED_POLICIES))).toEqual([]);
  });

  it("runs every function in Lambda's own network when no worker network is given", () => {
    for (const module of ALL_MODULES) expect(functionOf(module).VpcConfig, module).toBeUndefined();
  });

  it('outputs the API URL, the data plane URL, the bucket name and the admin key secret', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('DataPlaneUrl', { Value: Match.anyValue() });
    template.hasOutput('BucketName', { Value: Match.anyValue() });
    template.hasOutput('AdminKeySecretArn', { Value: { Ref: Match.stringLikeRegexp('^AdminKey') } });
  });
});

describe('BatchlineStack admin key', () => {
  const adminSecretId = (): string => {
    const secrets = template.findResources('AWS::SecretsManager::Secret', {
      Properties: { Description: Match.stringLikeRegexp('admin API key') },
    });
    expect(Object.keys(secrets)).toHaveLength(1);
    return Object.keys(secrets)[0] as string;
  };

  it('is generated at deploy time: 48 letters and digits, no punctuation or spaces', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('admin API key'),
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('is given to the API handlers only, which may read it', () => {
    for (const module of ['version', 'batch-predictions', 'download']) {
      expect(envOf(module).ADMIN_KEY_SECRET_ARN).toEqual({ Ref: adminSecretId() });
      expect(statementsOf(module)).toContainEqual(
        expect.objectContaining({ Resource: { Ref: adminSecretId() } }),
      );
    }
    for (const module of [
      'step-prepare',
      'step-score-chunk',
      'step-finalize',
      'step-fail',
      'upload-received',
    ]) {
      expect(envOf(module).ADMIN_KEY_SECRET_ARN).toBeUndefined();
      expect(statementsOf(module)).not.toContainEqual(
        expect.objectContaining({ Resource: { Ref: adminSecretId() } }),
      );
    }
  });
});

describe('BatchlineStack cdk-nag', () => {
  it('has no unsuppressed AwsSolutions errors or warnings', () => {
    const nag = Match.stringLikeRegexp('AwsSolutions-.*');
    const findings = [
      ...Annotations.fromStack(stack).findError('*', nag),
      ...Annotations.fromStack(stack).findWarning('*', nag),
    ];
    expect(findings.map((e) => `${e.id}: ${String(e.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('gives a reason for every suppression', () => {
    type Suppressed = {
      Metadata?: { cdk_nag?: { rules_to_suppress?: Array<{ id: string; reason?: string }> } };
    };
    const json = template.toJSON() as Suppressed & { Resources: Record<string, Suppressed> };
    // Stack-wide suppressions sit in the template's Metadata, the others in each resource's.
    const suppressions = [json, ...Object.values(json.Resources)].flatMap(
      (holder) => holder.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const rule of suppressions) expect(rule.reason?.length ?? 0, rule.id).toBeGreaterThan(20);
  });
});
