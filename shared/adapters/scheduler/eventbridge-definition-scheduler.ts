/**
 * {@link DefinitionScheduler} on EventBridge Scheduler: one schedule per expression of a definition, in the
 * stack's schedule group, named `<definitionId>-<hash of the expression>` so the set a definition has can be
 * compared with the set it should have by listing names alone. Each schedule invokes run-scheduled-definition
 * with the definition id, the expression and Scheduler's own `<aws.scheduler.scheduled-time>`.
 */
import { createHash } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { DefinitionScheduler } from '../../ports/definition-scheduler.js';

export interface EventBridgeSchedulerSettings {
  /** The schedule group every definition's schedules live in. */
  readonly groupName: string;
  /** ARN of the run-scheduled-definition function. */
  readonly targetArn: string;
  /** The role Scheduler assumes to invoke it. */
  readonly roleArn: string;
  /** Queue for invocations that still fail after Scheduler's retries. */
  readonly deadLetterArn?: string;
}

/** Scheduler retries a failed invocation for up to an hour: a run later than that is not worth starting. */
const RETRY_POLICY = { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 };

export class EventBridgeDefinitionScheduler implements DefinitionScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: EventBridgeSchedulerSettings,
  ) {}

  async upsert(definitionId: string, expressions: readonly string[]): Promise<void> {
    const wanted = new Map(expressions.map((e) => [scheduleName(definitionId, e), e]));
    const existing = await this.names(definitionId);
    for (const [name, expression] of wanted) {
      if (!existing.includes(name)) await this.create(name, definitionId, expression);
    }
    for (const name of existing.filter((n) => !wanted.has(n))) await this.delete(name);
  }

  async remove(definitionId: string): Promise<void> {
    for (const name of await this.names(definitionId)) await this.delete(name);
  }

  async list(definitionId: string): Promise<string[]> {
    const expressions: string[] = [];
    for (const name of await this.names(definitionId)) {
      try {
        const schedule = await this.client.send(
          new GetScheduleCommand({ Name: name, GroupName: this.settings.groupName }),
        );
        if (schedule.ScheduleExpression) expressions.push(schedule.ScheduleExpression);
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    }
    return expressions.sort();
  }

  private async create(name: string, definitionId: string, expression: string): Promise<void> {
    const { groupName, targetArn, roleArn, deadLetterArn } = this.settings;
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: groupName,
          ScheduleExpression: expression,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          State: 'ENABLED',
          Description: `Batchline job definition ${definitionId}`,
          Target: {
            Arn: targetArn,
            RoleArn: roleArn,
            Input: JSON.stringify({
              definitionId,
              expression,
              scheduledTime: '<aws.scheduler.scheduled-time>',
            }),
            RetryPolicy: RETRY_POLICY,
            ...(deadLetterArn ? { DeadLetterConfig: { Arn: deadLetterArn } } : {}),
          },
        }),
      );
    } catch (error) {
      // The name holds the expression's hash: an existing schedule of this name already fires it.
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.groupName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  /** Names of the definition's schedules, all pages. */
  private async names(definitionId: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListSchedulesCommand({
          GroupName: this.settings.groupName,
          NamePrefix: `${definitionId}-`,
          NextToken: token,
        }),
      );
      for (const schedule of page.Schedules ?? []) if (schedule.Name) names.push(schedule.Name);
      token = page.NextToken;
    } while (token);
    return names;
  }
}

/** `<definitionId>-<16 hex of the expression's hash>`: within Scheduler's 64 characters of [0-9a-zA-Z-_.]. */
export function scheduleName(definitionId: string, expression: string): string {
  return `${definitionId}-${createHash('sha256').update(expression).digest('hex').slice(0, 16)}`;
}
