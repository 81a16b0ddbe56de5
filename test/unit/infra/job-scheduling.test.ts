import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULING_ENV } from '../../../infra/constructs/job-scheduling.js';
import { BatchlineStack } from '../../../infra/stacks/batchline-stack.js';

type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let template: Template;

beforeAll(() => {
  const app = new App();
  const stack = new BatchlineStack(app, 'Sched', {
    env: { account: '111111111111', region: 'eu-west-1' },
    apiModules: [
      { handler: 'batch-predictions', prefixes: ['batchPredictions'] },
      { handler: 'job-definitions', prefixes: ['batchPredictionJobDefinitions'] },
    ],
    bundle: false,
  });
  template = Template.fromStack(stack);
}, 120_000);

function functionOf(module: string): { id: string; resource: Resource } {
  const found = template.findResources('AWS::Lambda::Function', {
    Properties: {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: `batchline-${module}` }) },
    },
  });
  const [id, resource] = Object.entries(found)[0] ?? [];
  if (!id || !resource) throw new Error(`no function for ${module}`);
  return { id, resource: resource as Resource };
}

/** Every statement of the policies attached to the role of the function with logical id `functionId`. */
function statementsOf(functionId: string): Statement[] {
  const role = (template.toJSON().Resources[functionId].Properties.Role as { 'Fn::GetAtt': string[] })[
    'Fn::GetAtt'
  ][0];
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
  });
  return Object.values(policies)
    .flatMap((p) => (p as Resource).Properties.PolicyDocument as { Statement: Statement[] })
    .flatMap((doc) => doc.Statement);
}

function actions(statements: Statement[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe('job scheduling infrastructure', () => {
  it('has a schedule group and a run function with the fixed name the schedules target', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'Sched-definitions' });
    const run = functionOf('run-scheduled-definition');
    expect(run.resource.Properties.FunctionName).toBe('Sched-scheduled-runs');
    const variables = (run.resource.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables[SCHEDULING_ENV.targetArn]).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-west-1:111111111111:function:Sched-scheduled-runs'],
      ],
    });
  });

  it('lets Scheduler assume a role that may invoke only the run function and reach its dead-letter queue', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } }),
          ]),
        },
      },
    });
    const [roleId] = Object.keys(roles);
    expect(Object.keys(roles)).toHaveLength(1);
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleId }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) => ((p as Resource).Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(actions(statements).sort()).toEqual(
      ['lambda:InvokeFunction', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort(),
    );
    const invoke = statements.find((s) => s.Action === 'lambda:InvokeFunction');
    expect(JSON.stringify(invoke?.Resource)).toContain('function:Sched-scheduled-runs');
  });

  it('lets only the definition handlers manage schedules, passing only the Scheduler role', () => {
    for (const module of ['job-definitions', 'run-scheduled-definition']) {
      const granted = actions(statementsOf(functionOf(module).id));
      expect(granted, module).toEqual(
        expect.arrayContaining([
          'scheduler:CreateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
          'scheduler:ListSchedules',
          'iam:PassRole',
        ]),
      );
      const variables = (functionOf(module).resource.Properties.Environment as { Variables: object })
        .Variables;
      expect(Object.keys(variables), module).toEqual(expect.arrayContaining(Object.values(SCHEDULING_ENV)));
    }
    for (const module of ['batch-predictions', 's3-drop', 'step-prepare']) {
      expect(
        actions(statementsOf(functionOf(module).id)).filter((a) => a.startsWith('scheduler:')),
        module,
      ).toEqual([]);
    }
  });

  it('sends S3 "Object Created" events under drops/ to the s3-drop function, with a dead-letter queue', () => {
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: {
        EventPattern: Match.objectLike({
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: Match.objectLike({ object: { key: [{ prefix: 'drops/' }] } }),
        }),
      },
    });
    const [rule] = Object.values(rules) as Resource[];
    expect(Object.keys(rules)).toHaveLength(1);
    if (!rule) throw new Error('no drop rule');
    const [target] = rule.Properties.Targets as { Arn: unknown; DeadLetterConfig?: unknown }[];
    expect(target?.Arn).toEqual({ 'Fn::GetAtt': [functionOf('s3-drop').id, 'Arn'] });
    expect(target?.DeadLetterConfig).toBeDefined();
  });
});
