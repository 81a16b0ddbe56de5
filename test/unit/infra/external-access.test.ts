import { App, Aspects, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { BatchlineStack, type BatchlineStackProps } from '../../../infra/stacks/batchline-stack.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;
type Statement = { Action: string | string[]; Resource: unknown };

function synthStack(props: Partial<BatchlineStackProps> = {}): Stack {
  const app = new App();
  Aspects.of(app).add(new AwsSolutionsChecks());
  return new BatchlineStack(app, 'Test', {
    env: { account: '111111111111', region: 'eu-west-1' },
    apiModules: [{ handler: 'version', prefixes: ['version'] }],
    uploadReceivedModule: 'upload-received',
    bundle: false,
    ...props,
  });
}

function synth(props: Partial<BatchlineStackProps> = {}): Template {
  return Template.fromStack(synthStack(props));
}

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Resources).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('access to data outside the stack', () => {
  it('grants the credential secrets under the stack prefix only, and no customer bucket unless named', () => {
    const template = synth();
    const secrets = statements(template).filter((s) => actionsOf(s).includes('secretsmanager:CreateSecret'));
    expect(secrets.length).toBeGreaterThan(0);
    for (const statement of secrets) expect(JSON.stringify(statement.Resource)).toMatch(/credentials\/\*/);
    expect(JSON.stringify(statements(template))).not.toMatch(/arn:[^"]*:s3:::customer-data/);
  });

  it('grants read and write on the customer buckets named in externalBuckets, and passes the write limit', () => {
    const stack = synthStack({ externalBuckets: ['customer-data'], externalWriteLimitBytes: 5_000_000_000 });
    const template = Template.fromStack(stack);
    const nag = Match.stringLikeRegexp('AwsSolutions-.*');
    expect([
      ...Annotations.fromStack(stack).findError('*', nag),
      ...Annotations.fromStack(stack).findWarning('*', nag),
    ]).toEqual([]);
    const grants = statements(template).filter((s) => JSON.stringify(s.Resource).includes('customer-data'));
    expect(grants.length).toBeGreaterThan(0);
    for (const statement of grants) {
      expect(actionsOf(statement).sort()).toEqual([
        's3:AbortMultipartUpload',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
      ]);
    }
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    const limits = functions.map(
      (fn) => (fn.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables,
    );
    expect(limits.some((vars) => vars?.EXTERNAL_WRITE_LIMIT_BYTES === '5000000000')).toBe(true);
  });
});
