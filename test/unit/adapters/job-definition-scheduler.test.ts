import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDefinitionScheduler, toCronerPattern } from '../../../local/definition-scheduler.js';
import {
  EventBridgeDefinitionScheduler,
  scheduleName,
} from '../../../shared/adapters/scheduler/eventbridge-definition-scheduler.js';
import type { ScheduledRun } from '../../../shared/use-cases/job-definitions/run-definition.js';

const GROUP = 'batchline-definitions';
const DEFINITION = 'a'.repeat(24);
const OTHER = 'b'.repeat(24);

/** A tiny in-memory EventBridge Scheduler behind the SDK client: schedules by group and name, paged lists. */
function fakeScheduler() {
  const schedules = new Map<string, CreateScheduleCommandInput>();
  /** Names the next lists answer instead of the truth: a concurrent call changed things after the list. */
  const staleLists: string[][] = [];
  const mock = mockClient(SchedulerClient);
  const notFound = () =>
    new ResourceNotFoundException({ Message: 'not found', message: 'not found', $metadata: {} });
  mock.on(CreateScheduleCommand).callsFake((input: CreateScheduleCommandInput) => {
    if (schedules.has(`${input.GroupName}/${input.Name}`)) {
      throw new ConflictException({ Message: 'exists', message: 'exists', $metadata: {} });
    }
    schedules.set(`${input.GroupName}/${input.Name}`, input);
    return { ScheduleArn: `arn:schedule/${input.Name}` };
  });
  mock.on(DeleteScheduleCommand).callsFake(({ GroupName, Name }) => {
    if (!schedules.delete(`${GroupName}/${Name}`)) throw notFound();
    return {};
  });
  mock.on(GetScheduleCommand).callsFake(({ GroupName, Name }) => {
    const found = schedules.get(`${GroupName}/${Name}`);
    if (!found) throw notFound();
    return { Name, ScheduleExpression: found.ScheduleExpression, Target: found.Target };
  });
  mock.on(ListSchedulesCommand).callsFake(({ GroupName, NamePrefix, NextToken }) => {
    const stale = staleLists.shift();
    if (stale) return { Schedules: stale.map((Name) => ({ Name, GroupName })) };
    const names = [...schedules.values()]
      .filter((s) => s.GroupName === GroupName && s.Name?.startsWith(NamePrefix ?? ''))
      .map((s) => s.Name as string)
      .sort();
    const start = Number(NextToken ?? 0);
    const page = names.slice(start, start + 2);
    return {
      Schedules: page.map((Name) => ({ Name, GroupName })),
      NextToken: start + 2 < names.length ? String(start + 2) : undefined,
    };
  });
  return { schedules, staleLists, mock };
}

describe('EventBridge Scheduler adapter', () => {
  let fake: ReturnType<typeof fakeScheduler>;
  let scheduler: EventBridgeDefinitionScheduler;
  beforeEach(() => {
    fake = fakeScheduler();
    scheduler = new EventBridgeDefinitionScheduler(new SchedulerClient({}), {
      groupName: GROUP,
      targetArn: 'arn:aws:lambda:eu-west-1:1:function:runs',
      roleArn: 'arn:aws:iam::1:role/scheduler',
      deadLetterArn: 'arn:aws:sqs:eu-west-1:1:dlq',
    });
  });
  afterEach(() => fake.mock.restore());

  it('keeps exactly the definition’s expressions, creating, keeping and deleting schedules as needed', async () => {
    const first = ['cron(0 1 ? * 2 *)', 'cron(0 1 1 * ? *)', 'cron(30 1 ? * 2 *)'];
    await scheduler.upsert(DEFINITION, first);
    await scheduler.upsert(OTHER, ['cron(0 * ? * * *)']);
    expect(await scheduler.list(DEFINITION)).toEqual([...first].sort());

    await scheduler.upsert(DEFINITION, ['cron(0 1 1 * ? *)', 'cron(5 5 ? * * *)']);
    expect(await scheduler.list(DEFINITION)).toEqual(['cron(0 1 1 * ? *)', 'cron(5 5 ? * * *)']);
    // The schedule both sets share was left alone: created once, never deleted.
    const creates = fake.mock
      .commandCalls(CreateScheduleCommand)
      .map((c) => c.args[0].input.ScheduleExpression);
    expect(creates.filter((e) => e === 'cron(0 1 1 * ? *)')).toHaveLength(1);

    await scheduler.remove(DEFINITION);
    expect(await scheduler.list(DEFINITION)).toEqual([]);
    expect(await scheduler.list(OTHER)).toEqual(['cron(0 * ? * * *)']);
    await scheduler.remove(DEFINITION);
  });

  it('creates schedules that run the function in UTC with the definition, expression and scheduled time', async () => {
    await scheduler.upsert(DEFINITION, ['cron(0 1 ? * 2 *)']);
    const created = fake.schedules.get(`${GROUP}/${scheduleName(DEFINITION, 'cron(0 1 ? * 2 *)')}`);
    expect(created).toMatchObject({
      ScheduleExpression: 'cron(0 1 ? * 2 *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:lambda:eu-west-1:1:function:runs',
        RoleArn: 'arn:aws:iam::1:role/scheduler',
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:1:dlq' },
      },
    });
    expect(JSON.parse(created?.Target?.Input ?? '{}')).toEqual({
      definitionId: DEFINITION,
      expression: 'cron(0 1 ? * 2 *)',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    expect(scheduleName(DEFINITION, 'cron(0 1 ? * 2 *)')).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
  });

  it('treats a schedule created or deleted by a concurrent call as done', async () => {
    await scheduler.upsert(DEFINITION, ['cron(0 1 ? * 2 *)']);
    // Lists as missing, then turns out to exist: Conflict is success.
    fake.staleLists.push([]);
    await expect(scheduler.upsert(DEFINITION, ['cron(0 1 ? * 2 *)'])).resolves.toBeUndefined();
    fake.schedules.clear();
    fake.staleLists.push([scheduleName(DEFINITION, 'x')]);
    await expect(scheduler.remove(DEFINITION)).resolves.toBeUndefined();
  });
});

describe('the embedded stack’s scheduler', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'batchline-schedules-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('translates EventBridge expressions for croner (weekdays from Sunday = 1 to 0, ? to *)', () => {
    expect(toCronerPattern('cron(0 12 ? * 3 *)')).toBe('0 0 12 * * 2');
    expect(toCronerPattern('cron(30 8 1,15 * ? *)')).toBe('0 30 8 1,15 * *');
    expect(toCronerPattern('cron(0 0 ? 1-3 2-6 *)')).toBe('0 0 0 * 1-3 1-5');
    expect(toCronerPattern('cron(5 1 ? * 1#2 *)')).toBe('0 5 1 * * 0#2');
    expect(() => toCronerPattern('cron(0 0 1 1 ? 2030)')).toThrow(/Year/);
    expect(() => toCronerPattern('rate(5 minutes)')).toThrow(/Not an EventBridge cron/);
  });

  it('survives a restart and fires due runs in time order', async () => {
    const file = join(dir, 'schedules.json');
    const before = new LocalDefinitionScheduler(file);
    await before.upsert(DEFINITION, ['cron(0 12 ? * 3 *)', 'cron(30 8 1,15 * ? *)']);
    await before.upsert(OTHER, ['cron(0 0 ? * * *)']);
    await before.remove(OTHER);

    const after = new LocalDefinitionScheduler(file);
    expect(await after.list(DEFINITION)).toEqual(['cron(0 12 ? * 3 *)', 'cron(30 8 1,15 * ? *)']);
    expect(await after.list(OTHER)).toEqual([]);
    const fired: ScheduledRun[] = [];
    after.start(
      async (run) => {
        fired.push(run);
      },
      (error) => {
        throw error;
      },
    );
    try {
      // 2030-01-01 is a Tuesday: 08:30 on the 1st, Tuesday noon, Tuesday the 8th noon, 08:30 on the 15th.
      const count = await after.runDue(new Date('2030-01-01T00:00:00Z'), new Date('2030-01-15T09:00:00Z'));
      expect(count).toBe(4);
      expect(fired.map((r) => r.scheduledTime)).toEqual([
        '2030-01-01T08:30:00.000Z',
        '2030-01-01T12:00:00.000Z',
        '2030-01-08T12:00:00.000Z',
        '2030-01-15T08:30:00.000Z',
      ]);
      expect(fired[0]).toEqual({
        definitionId: DEFINITION,
        scheduledTime: '2030-01-01T08:30:00.000Z',
        expression: 'cron(30 8 1,15 * ? *)',
      });
    } finally {
      after.stop();
    }
  });
});
