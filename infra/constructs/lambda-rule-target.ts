import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';

/**
 * An EventBridge target that invokes `handler`, retrying for up to two hours; events that still fail wait in a
 * dead-letter queue (`<scope>/DeadLetters`) instead of being lost.
 */
export function lambdaRuleTarget(
  scope: Construct,
  handler: lambda.IFunction,
  input?: events.RuleTargetInput,
): { target: targets.LambdaFunction; deadLetters: sqs.Queue } {
  const deadLetters = new sqs.Queue(scope, 'DeadLetters', {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    retentionPeriod: Duration.days(14),
  });
  NagSuppressions.addResourceSuppressions(deadLetters, [
    { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue.' },
  ]);
  const target = new targets.LambdaFunction(handler, {
    ...(input ? { event: input } : {}),
    deadLetterQueue: deadLetters,
    retryAttempts: 8,
    maxEventAge: Duration.hours(2),
  });
  return { target, deadLetters };
}
