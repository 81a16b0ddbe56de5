import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUNTIME_LIMIT_ERROR, runtimeLimitReason } from '../../shared/use-cases/jobs/runtime-limit.js';
import { lambdaRuleTarget } from './lambda-rule-target.js';

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
    const { target, deadLetters } = lambdaRuleTarget(
      this,
      props.failJob,
      events.RuleTargetInput.fromObject({
        jobId: events.EventField.fromPath('$.detail.name'),
        error: { Error: RUNTIME_LIMIT_ERROR, Cause: runtimeLimitReason(props.runtimeLimitHours) },
      }),
    );
    this.deadLetters = deadLetters;
    this.rule = new events.Rule(this, 'ExecutionTimedOut', {
      description: 'A job execution reached the job runtime limit',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['TIMED_OUT'], stateMachineArn: [props.stateMachine.stateMachineArn] },
      },
      targets: [target],
    });
  }
}
