import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { DROP_ROOT } from '../../shared/domain/job-definition.js';
import { lambdaRuleTarget } from './lambda-rule-target.js';

/** The handler modules this construct wires: the schedules' target and the S3-drop handler. */
export const SCHEDULING_MODULES = {
  scheduledRun: 'run-scheduled-definition',
  drop: 's3-drop',
} as const;

/** The API handler module of `batchPredictionJobDefinitions/` (functions/routes.ts), which manages schedules. */
export const JOB_DEFINITIONS_MODULE = 'job-definitions';

/** Environment variables of the functions that manage schedules (functions/config.ts reads them). */
export const SCHEDULING_ENV = {
  groupName: 'SCHEDULE_GROUP_NAME',
  targetArn: 'SCHEDULED_RUN_FUNCTION_ARN',
  roleArn: 'SCHEDULER_ROLE_ARN',
  deadLetterArn: 'SCHEDULER_DEAD_LETTER_ARN',
} as const;

export interface JobSchedulingProps {
  /** The schedule group's name: every definition's schedules live in it. */
  readonly groupName: string;
  /** The run-scheduled-definition function, and its ARN as a string (it needs it itself, so no reference). */
  readonly scheduledRun: lambda.IFunction;
  readonly scheduledRunArn: string;
  /** The s3-drop function and the bucket whose `drops/` objects it is told of. */
  readonly drop: lambda.IFunction;
  readonly bucket: s3.IBucket;
  /** Functions that create, change and delete definitions, and so their schedules. */
  readonly managers: readonly lambda.IFunction[];
}

/**
 * Job definitions on AWS (docs/api.md): an EventBridge Scheduler schedule group holding each definition's
 * schedules, the role Scheduler assumes, allowed to invoke only run-scheduled-definition, a dead-letter queue
 * for runs Scheduler could not deliver, and the S3 "Object Created" rule for `drops/` that starts S3-drop runs
 * (its own dead-letter queue keeps drops that still fail after retries).
 */
export class JobScheduling extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly scheduleDeadLetters: sqs.Queue;
  readonly dropRule: events.Rule;
  readonly dropDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobSchedulingProps) {
    super(scope, id);
    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.groupName,
      // Deleting the group deletes its schedules: nothing would be left firing at a deleted function.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.scheduleDeadLetters = new sqs.Queue(this, 'ScheduleDeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.scheduleDeadLetters, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the schedules.' },
    ]);
    const account = Stack.of(this).account;
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to start scheduled job definition runs',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    });
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.scheduledRunArn] }),
    );
    this.scheduleDeadLetters.grantSendMessages(this.schedulerRole);
    for (const manager of props.managers) this.allowManaging(manager);

    // The drop handler copies the dropped object into the job's input (its other data access is the stack's).
    props.drop.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects(`${DROP_ROOT}*`)],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      props.drop,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Dropped objects have user-chosen keys; reading is scoped to the drops/ prefix.',
          appliesTo: [{ regex: '/^Resource::.*\\/drops\\/\\*$/g' }],
        },
      ],
      true,
    );
    const { target, deadLetters } = lambdaRuleTarget(this, props.drop);
    this.dropDeadLetters = deadLetters;
    this.dropRule = new events.Rule(this, 'ObjectDropped', {
      description: 'An object was dropped under drops/ for the S3-drop triggers of job definitions',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: [{ prefix: DROP_ROOT }] },
        },
      },
      targets: [target],
    });
  }

  /** The variables a managing function needs to reach the scheduler. */
  environment(scheduledRunArn: string): Record<string, string> {
    return {
      [SCHEDULING_ENV.groupName]: this.group.scheduleGroupName,
      [SCHEDULING_ENV.targetArn]: scheduledRunArn,
      [SCHEDULING_ENV.roleArn]: this.schedulerRole.roleArn,
      [SCHEDULING_ENV.deadLetterArn]: this.scheduleDeadLetters.queueArn,
    };
  }

  /** Create, read and delete schedules in the group, and hand Scheduler its role. */
  private allowManaging(fn: lambda.IFunction): void {
    this.group.grantReadSchedules(fn);
    this.group.grantWriteSchedules(fn);
    this.group.grantDeleteSchedules(fn);
    // ListSchedules has no resource-level permissions: it is allowed on "*" or not at all.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }));
    this.schedulerRole.grantPassRole(fn.grantPrincipal);
    NagSuppressions.addResourceSuppressions(
      fn,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Schedules are named after definitions created at run time; scoped to this stack’s schedule group. ' +
            'ListSchedules has no resource-level permissions.',
          appliesTo: [{ regex: '/^Resource::arn:.*:scheduler:.*:schedule\\/.*\\/\\*$/g' }, 'Resource::*'],
        },
      ],
      true,
    );
  }
}
