import type { Template } from 'aws-cdk-lib/assertions';

/**
 * Actions granted on `Resource: "*"`, each with why nothing narrower exists. Any other action on "*" fails the
 * IAM tests.
 */
export const RESOURCELESS_ACTIONS: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments':
    'X-Ray defines no resource types (active tracing of functions and the state machine)',
  'xray:PutTelemetryRecords': 'X-Ray defines no resource types',
  'xray:GetSamplingRules': 'X-Ray defines no resource types',
  'xray:GetSamplingTargets': 'X-Ray defines no resource types',
  'logs:CreateLogDelivery': 'Step Functions log delivery; vended log actions take no resource',
  'logs:GetLogDelivery': 'vended log delivery',
  'logs:UpdateLogDelivery': 'vended log delivery',
  'logs:DeleteLogDelivery': 'vended log delivery',
  'logs:ListLogDeliveries': 'vended log delivery',
  'logs:PutResourcePolicy': 'vended log delivery',
  'logs:DescribeResourcePolicies': 'vended log delivery',
  'logs:DescribeLogGroups': 'vended log delivery',
  'ecr:GetAuthorizationToken': 'pulling the chunk worker image; ECR defines no resource for it',
  'scheduler:ListSchedules':
    'job definitions compare their schedules by listing; ListSchedules has no resource-level permissions',
};

/** AWS-managed policies a role may carry, each with why. */
export const MANAGED_POLICIES: Readonly<Record<string, string>> = {
  AWSLambdaBasicExecutionRole: "a function's own log streams",
  AWSLambdaVPCAccessExecutionRole: 'network interfaces of step functions placed in a VPC',
  AmazonAPIGatewayPushToCloudWatchLogs: "API Gateway's account-level logging role",
};

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Every Allow statement of every identity policy in the template (policies, managed policies, role inline). */
export function allowStatements(template: Template): Statement[] {
  const documents = Object.values(template.toJSON().Resources as Resources).flatMap((resource) => {
    const props = resource.Properties;
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      return [props.PolicyDocument];
    }
    if (resource.Type === 'AWS::IAM::Role') {
      return ((props.Policies ?? []) as Array<{ PolicyDocument: unknown }>).map((p) => p.PolicyDocument);
    }
    return [];
  }) as Array<{ Statement: Statement[] }>;
  return documents.flatMap((document) => document.Statement).filter((s) => s.Effect === 'Allow');
}

/** The names of the AWS-managed policies attached to roles in the template. */
export function managedPolicyNames(template: Template): string[] {
  const roles = Object.values(template.findResources('AWS::IAM::Role') as Resources);
  const names = roles.flatMap((role) =>
    ((role.Properties.ManagedPolicyArns ?? []) as unknown[]).map((arn) => {
      const text = JSON.stringify(arn);
      return /:iam::aws:policy\/(?:service-role\/)?([A-Za-z0-9]+)/.exec(text)?.[1] ?? text;
    }),
  );
  return [...new Set(names)].sort();
}

/**
 * What the template grants too broadly: `*` in any action, and actions on `Resource: "*"` that are not in
 * {@link RESOURCELESS_ACTIONS}. Empty when every grant is as narrow as the service allows.
 */
export function overlyBroadGrants(template: Template): string[] {
  return allowStatements(template).flatMap((statement) => {
    const actions = [statement.Action].flat();
    const onEverything = [statement.Resource].flat().includes('*');
    return [
      ...actions.filter((action) => action.includes('*')).map((action) => `wildcard action ${action}`),
      ...(onEverything
        ? actions.filter((action) => !(action in RESOURCELESS_ACTIONS)).map((action) => `${action} on *`)
        : []),
    ];
  });
}
