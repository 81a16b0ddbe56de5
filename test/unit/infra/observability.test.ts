import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchlineStack } from '../../../infra/stacks/batchline-stack.js';
import { METRIC, METRICS_NAMESPACE } from '../../../shared/observability/metric-names.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

const STEP_MODULES = ['step-prepare', 'step-score-chunk', 'step-finalize', 'step-fail'];

let template: Template;

beforeAll(() => {
  const app = new App();
  const stack = new BatchlineStack(app, 'Test', {
    env: { account: '111111111111', region: 'eu-west-1' },
    apiModules: [
      { handler: 'version', prefixes: ['version'] },
      { handler: 'batch-predictions', prefixes: ['batchPredictions'] },
    ],
    uploadReceivedModule: 'upload-received',
    bundle: false,
    stage: 'dev',
    logRetentionDays: 90,
    alarmEmail: 'ops@example.com',
  });
  template = Template.fromStack(stack);
}, 60_000);

/** The alarms, by name without the stack prefix. */
function alarms(): Map<string, Record<string, unknown>> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources);
  return new Map(
    found.map((alarm) => [String(alarm.Properties.AlarmName).replace(/^Test-/, ''), alarm.Properties]),
  );
}

/** The handler module of every function the stack made for one (its `batchline:module` tag). */
function modules(): string[] {
  const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
  return functions.flatMap((fn) => {
    const tags = (fn.Properties.Tags ?? []) as Array<{ Key: string; Value: string }>;
    return tags.filter((tag) => tag.Key === 'batchline:module').map((tag) => tag.Value);
  });
}

function topicId(): string {
  const ids = Object.keys(template.findResources('AWS::SNS::Topic'));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('alarms', () => {
  it('watch failed, timed-out and throttled executions, API 5xx, every function and dead-letter queue', () => {
    expect(modules()).toEqual(
      expect.arrayContaining(['version', 'batch-predictions', 'upload-received', ...STEP_MODULES]),
    );
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const names = [...alarms().keys()];
    expect(names.filter((name) => name.endsWith('DeadLetters'))).toHaveLength(queues.length);
    expect(names).toEqual(
      expect.arrayContaining(['RuntimeLimit-DeadLetters', 'UploadCompletion-DeadLetters']),
    );
    expect(names.filter((name) => !name.endsWith('DeadLetters')).sort()).toEqual(
      [
        'ExecutionsFailed',
        'ExecutionsTimedOut',
        'ExecutionsThrottled',
        'Api5xx',
        ...modules().flatMap((module) => [`${module}-Errors`, `${module}-Throttles`]),
      ].sort(),
    );
  });

  it('fire on the first occurrence in five minutes, and tell the topic when they fire and clear', () => {
    for (const [name, alarm] of alarms()) {
      expect(alarm, name).toMatchObject({
        Threshold: 1,
        EvaluationPeriods: 1,
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId() }],
        OKActions: [{ Ref: topicId() }],
      });
    }
  });

  it('read the metrics of this stack’s state machine, API, functions and queues', () => {
    const byName = alarms();
    expect(byName.get('ExecutionsFailed')).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [
        { Name: 'StateMachineArn', Value: { Ref: expect.stringMatching(/^WorkflowStateMachine/) } },
      ],
    });
    expect(byName.get('ExecutionsTimedOut')).toMatchObject({ MetricName: 'ExecutionsTimedOut' });
    // By stage as well as by name: the REST APIs of all Batchline stacks share the name.
    expect(byName.get('Api5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: expect.arrayContaining([
        { Name: 'ApiName', Value: 'batchline' },
        expect.objectContaining({ Name: 'Stage' }),
      ]),
    });
    expect(byName.get('step-score-chunk-Throttles')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^Handlerstepscorechunk/) } }],
    });
    expect(byName.get('RuntimeLimit-DeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
    });
  });

  it('go to a topic that refuses plain HTTP and mails the given address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId() },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId() } });
  });
});

describe('dashboard', () => {
  it('charts the job metrics the handlers emit beside the services’ own', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
    expect(dashboard?.Properties.DashboardName).toBe('Test');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const name of Object.values(METRIC)) {
      expect(body).toContain(`\\"${METRICS_NAMESPACE}\\",\\"${name}\\",\\"service\\",\\"batchline\\"`);
    }
    for (const metric of ['ExecutionsStarted', '5XXError', 'Latency', 'Throttles', 'Duration']) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
    expect(body).toContain('"type\\":\\"alarm\\"');
  });
});

describe('tracing, stage and log retention', () => {
  it('traces every handler function, the API stage and the state machine with X-Ray', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter(
      (fn) => fn.Properties.Runtime === 'nodejs22.x',
    );
    expect(functions).toHaveLength(modules().length);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
    });
  });

  it('serves the API under the stage, routes the data plane to it, and tags resources with it', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'dev' });
    const [distribution] = Object.values(
      template.findResources('AWS::CloudFront::Distribution') as Resources,
    );
    expect(JSON.stringify(distribution?.Properties)).toContain('"OriginPath":"/dev"');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([{ Key: 'batchline:stage', Value: 'dev' }]),
    });
  });

  it('keeps every log group for the configured retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup') as Resources);
    expect(groups.length).toBeGreaterThan(modules().length);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(90);
  });
});
