import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/**
 * The object a single PUT writes. Multipart part 0 writes the same key; the handler tells them apart by the
 * job's spec (`intakeSettings.multipart`) and leaves multipart jobs to finalizeMultipart.
 */
export const SINGLE_UPLOAD_KEY_PATTERN = 'jobs/*/input/000000';

export interface UploadCompletionProps {
  readonly bucket: s3.IBucket;
  readonly handler: lambda.IFunction;
}

/**
 * S3 "Object Created" for an uploaded job input -> EventBridge -> the upload-received handler, which marks the
 * input complete and starts the job. Events that still fail after retries wait in a dead-letter queue.
 */
export class UploadCompletion extends Construct {
  readonly rule: events.Rule;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: UploadCompletionProps) {
    super(scope, id);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetters, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue.' },
    ]);
    this.rule = new events.Rule(this, 'InputUploaded', {
      description: 'A job input object was stored by the upload data plane',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: [{ wildcard: SINGLE_UPLOAD_KEY_PATTERN }] },
        },
      },
      targets: [
        new targets.LambdaFunction(props.handler, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }
}
