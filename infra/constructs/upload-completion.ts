import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { lambdaRuleTarget } from './lambda-rule-target.js';

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
    const { target, deadLetters } = lambdaRuleTarget(this, props.handler);
    this.deadLetters = deadLetters;
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
      targets: [target],
    });
  }
}
