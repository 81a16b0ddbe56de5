import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { RUNTIME_LIMIT_ERROR, runtimeLimitReason } from '../../shared/use-cases/jobs/runtime-limit.js';

export interface RuntimeLimitRuleProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The step-fail function, given `{ jobId, error }` as the state machine's Catch paths give it. */
  readonly failJob: lambda.IFunction;
  readonly runtimeLimitHours: number;
}

/**
 * A job past its runtime limit: the state machine's timeout ends the execution, which no Catch sees, so this
 * rule hands the TIMED_OUT event to FailJob (the execution is named after its job), which ends the job ABORTED
 * saying so. Events that still fail after retries wait in a dead-letter queue.
 */
export class RuntimeLimitRule extends Construct {
  readonly rule: events.Rule;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: RuntimeLimitRuleProps) {
    super(scope, id);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetters, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue.' },
    ]);
    this.rule = new events.Rule(this, 'ExecutionTimedOut', {
      description: 'A job execution reached the job runtime limit',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['TIMED_OUT'], stateMachineArn: [props.stateMachine.stateMachineArn] },
      },
      targets: [
        new targets.LambdaFunction(props.failJob, {
          event: events.RuleTargetInput.fromObject({
            jobId: events.EventField.fromPath('$.detail.name'),
            error: { Error: RUNTIME_LIMIT_ERROR, Cause: runtimeLimitReason(props.runtimeLimitHours) },
          }),
          deadLetterQueue: this.deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }
}
