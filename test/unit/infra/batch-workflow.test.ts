import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRANSIENT_ECS_ERRORS, TRANSIENT_LAMBDA_ERRORS } from '../../../infra/constructs/batch-workflow.js';
import { BatchlineStack, type BatchlineStackProps } from '../../../infra/stacks/batchline-stack.js';
import { renderDefinitionString } from '../../../local/asl/cfn-definition.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;
type State = Record<string, unknown>;
interface Definition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

const ENV = { account: '111111111111', region: 'eu-west-1' };
/** Synthesis takes seconds, more on a busy machine. */
const SYNTH_TIMEOUT_MS = 60_000;
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

function synth(props: Partial<BatchlineStackProps> = {}): Template {
  const app = new App();
  const stack = new BatchlineStack(app, 'Test', {
    env: ENV,
    apiModules: [{ handler: 'version', prefixes: ['version'] }],
    bundle: false,
    jobRuntimeLimitHours: 3,
    ...props,
  });
  return Template.fromStack(stack);
}

/** The state machine's definition, with each resource reference rendered as `<logicalId>` or `<logicalId.Attr>`. */
function definitionOf(template: Template): Definition {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine') as Resources);
  return renderDefinitionString(machine?.Properties.DefinitionString, (id, attribute) =>
    attribute === undefined ? `<${id}>` : `<${id}.${attribute}>`,
  ) as Definition;
}

/** The logical id of the function whose `batchline:module` tag is `module`. */
function functionId(template: Template, module: string): string {
  const ids = Object.keys(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Tags: Match.arrayWith([{ Key: 'batchline:module', Value: module }]) },
    }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The job bucket: the one that logs access under `s3/`. */
function bucketId(template: Template): string {
  const ids = Object.keys(
    template.findResources('AWS::S3::Bucket', {
      Properties: { LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }) },
    }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

const LAMBDA_RETRY = [
  {
    ErrorEquals: TRANSIENT_LAMBDA_ERRORS,
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
  },
];
const catchTo = (next: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: next }];

describe('job workflow state machine', () => {
  let template: Template;
  let definition: Definition;
  let processor: Definition;
  const fn = (module: string) => `<${functionId(template, module)}.Arn>`;

  beforeAll(() => {
    template = synth();
    definition = definitionOf(template);
    processor = definition.States.ScoreChunks?.ItemProcessor as Definition;
  }, SYNTH_TIMEOUT_MS);

  it('runs Prepare -> Map -> Finalize, failing into FailJob, and times out at the job runtime limit', () => {
    expect(definition.StartAt).toBe('PrepareJob');
    expect(definition.TimeoutSeconds).toBe(3 * 3600);
    expect(Object.keys(definition.States).sort()).toEqual(
      ['Done', 'FailJob', 'FinalizeJob', 'JobFailed', 'PrepareJob', 'PrepareOutcome', 'ScoreChunks'].sort(),
    );
    expect(definition.States.Done).toEqual({ Type: 'Succeed' });
    expect(definition.States.JobFailed).toEqual({
      Type: 'Fail',
      Error: 'JobFailed',
      Cause: 'The job was aborted; see its statusDetails',
    });
  });

  it('prepares with the execution input and ends at once when prepare says aborted', () => {
    expect(definition.States.PrepareJob).toEqual({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: fn('step-prepare'),
        Payload: { 'jobId.$': '$.jobId', 'numConcurrent.$': '$.numConcurrent' },
      },
      OutputPath: '$.Payload',
      Retry: LAMBDA_RETRY,
      Catch: catchTo('FailJob'),
      Next: 'PrepareOutcome',
    });
    expect(definition.States.PrepareOutcome).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.aborted', BooleanEquals: true, Next: 'Done' }],
      Default: 'ScoreChunks',
    });
  });

  it('maps over the chunk items prepare wrote, numConcurrent at a time, failing on the first failed chunk', () => {
    const { ItemProcessor, ...map } = definition.States.ScoreChunks as State;
    expect(map).toEqual({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: `<${bucketId(template)}>`, 'Key.$': '$.itemsKey' },
      },
      MaxConcurrencyPath: '$.numConcurrent',
      ItemSelector: {
        'jobId.$': '$$.Map.Item.Value.jobId',
        'index.$': '$$.Map.Item.Value.index',
        'worker.$': '$$.Map.Item.Value.worker',
      },
      ResultPath: null,
      Catch: catchTo('FailJob'),
      Next: 'FinalizeJob',
    });
    // No tolerance: the service's default, none, fails the Map on its first failed item.
    expect(JSON.stringify(map)).not.toContain('ToleratedFailure');
    expect((ItemProcessor as State).ProcessorConfig).toEqual({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'STANDARD',
    });
  });

  it('scores each chunk on the worker its item names, and a failed chunk fails the job itself', () => {
    expect(processor.StartAt).toBe('ChooseWorker');
    expect(processor.States.ChooseWorker).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.worker', StringEquals: 'fargate', Next: 'ScoreChunkOnFargate' }],
      Default: 'ScoreChunk',
    });
    expect(processor.States.ScoreChunk).toEqual({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: fn('step-score-chunk'),
        Payload: { 'jobId.$': '$.jobId', 'index.$': '$.index', 'worker.$': '$.worker' },
      },
      ResultPath: null,
      OutputPath: '$.index',
      Retry: LAMBDA_RETRY,
      Catch: catchTo('FailJobFromChunk'),
      End: true,
    });
    expect(processor.States.FailJobFromChunk).toMatchObject({
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: fn('step-fail'), Payload: { 'jobId.$': '$.jobId', 'error.$': '$.error' } },
      Next: 'ChunkFailed',
    });
    expect(processor.States.ChunkFailed).toMatchObject({ Type: 'Fail', Error: 'ChunkFailed' });
  });

  it('runs a Fargate chunk as one ECS task with JOB_ID and CHUNK_INDEX, retrying when ECS cannot start it', () => {
    const fargate = processor.States.ScoreChunkOnFargate as State;
    expect(fargate).toMatchObject({
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      ResultPath: null,
      OutputPath: '$.index',
      Retry: [
        {
          ErrorEquals: TRANSIENT_ECS_ERRORS,
          IntervalSeconds: 10,
          MaxAttempts: 4,
          BackoffRate: 2,
          MaxDelaySeconds: 120,
        },
      ],
      Catch: catchTo('FailJobFromChunk'),
      End: true,
    });
    expect(fargate.Parameters).toMatchObject({
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' } },
      Overrides: {
        ContainerOverrides: [
          {
            Name: 'worker',
            Environment: [
              { Name: 'JOB_ID', 'Value.$': '$.jobId' },
              { Name: 'CHUNK_INDEX', 'Value.$': "States.Format('{}', $.index)" },
            ],
          },
        ],
      },
    });
  });

  it('finalizes with the job id, and FailJob hands the caught error to step-fail before failing', () => {
    expect(definition.States.FinalizeJob).toEqual({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: fn('step-finalize'), Payload: { 'jobId.$': '$.jobId' } },
      OutputPath: '$.Payload',
      Retry: LAMBDA_RETRY,
      Catch: catchTo('FailJob'),
      Next: 'Done',
    });
    expect(definition.States.FailJob).toEqual({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: fn('step-fail'), Payload: { 'jobId.$': '$.jobId', 'error.$': '$.error' } },
      OutputPath: '$.Payload',
      Retry: LAMBDA_RETRY,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failJobError', Next: 'JobFailed' }],
      Next: 'JobFailed',
    });
  });

  it('is named after the stack, logs every event with execution data, and is traced', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'Test-jobs',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [Match.anyValue()] },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('may invoke only its step functions and run only its worker task definition', () => {
    const [role] = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })],
          },
        },
      }),
    );
    const statements = Object.values(template.findResources('AWS::IAM::Policy') as Resources)
      .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === role))
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> })
            .Statement,
      );
    const invoked = statements
      .filter((s) => s.Action === 'lambda:InvokeFunction')
      .flatMap((s) => s.Resource as unknown[])
      .filter(
        (r): r is { 'Fn::GetAtt': [string, string] } =>
          typeof r === 'object' && r !== null && 'Fn::GetAtt' in r,
      )
      .map((r) => r['Fn::GetAtt'][0])
      .sort();
    expect(invoked).toEqual(
      ['step-fail', 'step-finalize', 'step-prepare', 'step-score-chunk']
        .map((m) => functionId(template, m))
        .sort(),
    );
    const runTask = statements.filter((s) => s.Action === 'ecs:RunTask');
    expect(runTask).toHaveLength(1);
    expect(JSON.stringify(runTask[0]?.Resource)).toContain('ChunkWorkerTask');
    // Following and stopping the task it started: the worker cluster's tasks, not "*".
    const followTask = statements.filter((s) => String(s.Action).includes('ecs:StopTask'));
    expect(followTask).toHaveLength(1);
    expect(followTask[0]?.Action).toEqual(['ecs:StopTask', 'ecs:DescribeTasks']);
    const taskArn = JSON.stringify(followTask[0]?.Resource);
    expect(taskArn).toContain(':task/');
    expect(taskArn).toMatch(/"Ref":"ChunkWorkerCluster[0-9A-F]+"\},"\/\*"/);
  });

  it('ends a job whose execution timed out through step-fail, saying it exceeded the runtime limit', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['TIMED_OUT'], stateMachineArn: [Match.anyValue()] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId(template, 'step-fail'), 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
          InputTransformer: {
            InputPathsMap: { 'detail-name': '$.detail.name' },
            InputTemplate:
              '{"jobId":<detail-name>,"error":{"Error":"Batchline.RuntimeLimitExceeded","Cause":"Job exceeded the runtime limit of 3 hours"}}',
          },
        }),
      ],
    });
  });
});

describe('Fargate chunk worker', () => {
  it('is an arm64 task of the repository image with the handlers environment, in a NAT-less VPC of its own', () => {
    const template = synth();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '4096',
      Memory: '16384',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({ Name: 'worker', LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }) }),
      ],
    });
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition') as Resources);
    const containers = (task?.Properties.ContainerDefinitions ?? []) as Array<{
      Environment: Array<{ Name: string; Value: unknown }>;
    }>;
    const container = containers[0];
    const names = container?.Environment.map((variable) => variable.Name).sort();
    // What functions/config.ts requires, as the step functions get it.
    expect(names).toEqual(
      [
        'BUCKET_NAME',
        'DATA_PLANE_URL',
        'JOBS_TABLE_NAME',
        'JOB_RUNTIME_LIMIT_HOURS',
        'POWERTOOLS_SERVICE_NAME',
        'RESOURCES_TABLE_NAME',
        'RETENTION_HOURS',
        'STATE_MACHINE_ARN',
        'UPLOAD_SECRET_ARN',
        'UPLOAD_URL_SECONDS',
      ].sort(),
    );
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  it('refuses a runtime limit that is not positive', () => {
    expect(() => synth({ jobRuntimeLimitHours: 0 })).toThrow(/jobRuntimeLimitHours must be positive/);
  });
});
