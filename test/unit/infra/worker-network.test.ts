import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchlineStack, type BatchlineStackProps } from '../../../infra/stacks/batchline-stack.js';
import { renderDefinitionString } from '../../../local/asl/cfn-definition.js';
import { MANAGED_POLICIES, managedPolicyNames, overlyBroadGrants } from './iam-grants.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

const NETWORK = { vpcId: 'vpc-0abc1234', subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'] };
const STEP_MODULES = ['step-prepare', 'step-score-chunk', 'step-finalize', 'step-fail'];
const VPC_ACCESS_POLICY = 'AWSLambdaVPCAccessExecutionRole';

function synth(props: Partial<BatchlineStackProps> = {}): Template {
  const app = new App();
  const stack = new BatchlineStack(app, 'Test', {
    env: { account: '111111111111', region: 'eu-west-1' },
    apiModules: [{ handler: 'version', prefixes: ['version'] }],
    uploadReceivedModule: 'upload-received',
    bundle: false,
    ...props,
  });
  return Template.fromStack(stack);
}

/** Each handler function's properties, by its `batchline:module` tag. */
function functionsByModule(template: Template): Map<string, Record<string, unknown>> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
  return new Map(
    functions.flatMap((fn) => {
      const tags = (fn.Properties.Tags ?? []) as Array<{ Key: string; Value: string }>;
      const module = tags.find((tag) => tag.Key === 'batchline:module')?.Value;
      return module === undefined ? [] : [[module, fn.Properties] as const];
    }),
  );
}

describe('workers in a given VPC', () => {
  let template: Template;
  let workerGroup: string;

  beforeAll(() => {
    template = synth({ workerNetwork: NETWORK });
    const groups = Object.keys(template.findResources('AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(1);
    workerGroup = groups[0] as string;
  }, 60_000);

  it('makes no network of its own and looks nothing up', () => {
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
  });

  it("runs Fargate chunks in the given subnets with the workers' group and no public IP", () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine') as Resources);
    const definition = renderDefinitionString(machine?.Properties.DefinitionString, (id) => `<${id}>`) as {
      States: Record<string, { ItemProcessor?: { States: Record<string, { Parameters: unknown }> } }>;
    };
    const fargate = definition.States.ScoreChunks?.ItemProcessor?.States.ScoreChunkOnFargate;
    expect(fargate?.Parameters).toMatchObject({
      NetworkConfiguration: {
        AwsvpcConfiguration: { Subnets: NETWORK.subnetIds, SecurityGroups: [`<${workerGroup}>`] },
      },
    });
    expect(JSON.stringify(fargate)).not.toContain('AssignPublicIp');
  });

  it('places the step functions in the same subnets and group, and the API functions outside', () => {
    const byModule = functionsByModule(template);
    for (const module of STEP_MODULES) {
      expect(byModule.get(module)?.VpcConfig, module).toEqual({
        SubnetIds: NETWORK.subnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [workerGroup, 'GroupId'] }],
      });
    }
    for (const module of ['version', 'upload-received']) {
      expect(byModule.get(module)?.VpcConfig, module).toBeUndefined();
    }
  });

  it('lets no traffic in, and outputs the group so databases can let the workers in', () => {
    const [group] = Object.values(template.findResources('AWS::EC2::SecurityGroup') as Resources);
    expect(group?.Properties.VpcId).toBe(NETWORK.vpcId);
    expect(group?.Properties.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasOutput('WorkerSecurityGroupId', { Value: { 'Fn::GetAtt': [workerGroup, 'GroupId'] } });
  });

  it('grants nothing broader than without a VPC', () => {
    expect(overlyBroadGrants(template)).toEqual([]);
    expect(managedPolicyNames(template).filter((name) => !(name in MANAGED_POLICIES))).toEqual([]);
  });

  it('gives only the step functions the VPC access policy', () => {
    const roles = template.findResources('AWS::IAM::Role') as Resources;
    const withVpcAccess = Object.values(roles).filter((role) =>
      JSON.stringify(role.Properties.ManagedPolicyArns ?? []).includes(VPC_ACCESS_POLICY),
    );
    expect(withVpcAccess).toHaveLength(STEP_MODULES.length);
  });

  it('refuses ids that are not a VPC or subnets', () => {
    expect(() => synth({ workerNetwork: { vpcId: 'default', subnetIds: NETWORK.subnetIds } })).toThrow(
      /workerNetwork.vpcId/,
    );
    expect(() => synth({ workerNetwork: { vpcId: NETWORK.vpcId, subnetIds: [] } })).toThrow(
      /workerNetwork.subnetIds/,
    );
  });
});
