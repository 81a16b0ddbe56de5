import { describe, expect, it } from 'vitest';
import { parseAppContext, stackIdFor, stackPropsFrom } from '../../../infra/config.js';

/** The context as `app.node.tryGetContext` would read it. */
const contextOf =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe('CDK app context', () => {
  it('is all optional: no keys, the stack defaults', () => {
    const context = parseAppContext(contextOf({}));
    expect(context).toEqual({});
    expect(stackIdFor(context)).toBe('BatchlineStack');
    expect(stackPropsFrom(context)).toEqual({});
  });

  it('reads `--context key=value` strings and cdk.json values into typed stack props', () => {
    const context = parseAppContext(
      contextOf({
        stage: 'dev',
        retentionHours: '72',
        jobRuntimeLimitHours: 1.5,
        maxConcurrentJobsPerDeployment: '3',
        logRetentionDays: '90',
        vpcId: 'vpc-0abc',
        subnetIds: 'subnet-01, subnet-02',
        alarmEmail: 'ops@example.com',
        longStreamUrl: 'https://stream.example.com',
      }),
    );
    expect(stackIdFor(context)).toBe('BatchlineStack-dev');
    expect(stackPropsFrom(context)).toEqual({
      stage: 'dev',
      retentionHours: 72,
      jobRuntimeLimitHours: 1.5,
      maxConcurrentJobsPerDeployment: 3,
      logRetentionDays: 90,
      workerNetwork: { vpcId: 'vpc-0abc', subnetIds: ['subnet-01', 'subnet-02'] },
      alarmEmail: 'ops@example.com',
      longStreamUrl: 'https://stream.example.com',
    });
    expect(parseAppContext(contextOf({ vpcId: 'vpc-1', subnetIds: ['subnet-1'] })).subnetIds).toEqual([
      'subnet-1',
    ]);
  });

  it('refuses malformed values, naming each key', () => {
    const problems = (values: Record<string, unknown>): string => {
      try {
        parseAppContext(contextOf(values));
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(problems({ stage: 'my stage' })).toMatch(/stage: letters, digits/);
    expect(problems({ retentionHours: '0' })).toMatch(/retentionHours/);
    expect(problems({ logRetentionDays: 45 })).toMatch(
      /logRetentionDays: one of CloudWatch Logs' .*30, 60, 90/,
    );
    expect(problems({ vpcId: 'vpc-1' })).toMatch(/subnetIds: vpcId and subnetIds go together/);
    expect(problems({ vpcId: 'vpc-1', subnetIds: 'sub-1' })).toMatch(/subnetIds.0: a subnet id/);
    expect(problems({ alarmEmail: 'ops' })).toMatch(/alarmEmail/);
    expect(problems({ stage: 'a b', retentionHours: -1 })).toMatch(/stage: .*; retentionHours: /);
  });
});
