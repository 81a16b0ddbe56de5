import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ClusterScopedEcsRunTask } from './cluster-scoped-run-task.js';
import type { FargateChunkWorker } from './fargate-chunk-worker.js';

/** The handler module of each step Lambda (functions/step-*.ts); each function is tagged with its module. */
export const STEP_MODULES = {
  prepare: 'step-prepare',
  scoreChunk: 'step-score-chunk',
  finalize: 'step-finalize',
  fail: 'step-fail',
} as const;

export type StepName = keyof typeof STEP_MODULES;

/** Errors worth another attempt: Lambda's own failures and throttling, a crashed worker, and a task's timeout. */
export const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  // A worker that dies mid-chunk (out of memory, a crashed runtime) is retried too: steps are idempotent, a
  // rescored chunk overwrites its part and is counted once.
  'Lambda.Unknown',
  'Runtime.ExitError',
  'States.Timeout',
];
/** ECS refusing to start a task (capacity, throttling) is worth another attempt too. */
export const TRANSIENT_ECS_ERRORS = ['ECS.AmazonECSException', 'States.Timeout'];

const LAMBDA_RETRY = {
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.minutes(1),
};
const ECS_RETRY = {
  interval: Duration.seconds(10),
  maxAttempts: 4,
  backoffRate: 2,
  maxDelay: Duration.minutes(2),
};

export interface BatchWorkflowProps {
  /** A fixed name, so handlers can be given the state machine's ARN without referencing it (a cycle). */
  readonly stateMachineName: string;
  /** The job bucket, where the Map reads `jobs/<id>/chunk-items.json`. */
  readonly bucket: s3.IBucket;
  readonly steps: Readonly<Record<StepName, lambda.IFunction>>;
  readonly worker: FargateChunkWorker;
  /** The job runtime limit: the execution's TimeoutSeconds. */
  readonly runtimeLimit: Duration;
  /** How long the execution log group keeps events. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * The job workflow: PrepareJob, then a Distributed Map over the chunk items scoring each chunk on its worker
 * (Lambda or Fargate) with at most `numConcurrent` at once, then FinalizeJob. Every failure ends in FailJob, which
 * ends the job ABORTED with a readable statusDetails; a chunk that fails does so itself, so the job says which
 * error it was rather than the Map's threshold error.
 *
 * Execution input `{ jobId, numConcurrent }`; executions are named after their job.
 */
export class BatchWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: BatchWorkflowProps) {
    super(scope, id);
    const { steps } = props;
    const jobFailed = new sfn.Fail(this, 'JobFailed', {
      error: 'JobFailed',
      cause: 'The job was aborted; see its statusDetails',
    });
    const failJob = this.lambdaStep('FailJob', steps.fail, {
      jobId: sfn.JsonPath.stringAt('$.jobId'),
      error: sfn.JsonPath.objectAt('$.error'),
    });
    failJob.addCatch(jobFailed, { resultPath: '$.failJobError' });
    failJob.next(jobFailed);
    const onFailure = (state: tasks.LambdaInvoke | sfn.DistributedMap): void => {
      state.addCatch(failJob, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    };

    const prepare = this.lambdaStep('PrepareJob', steps.prepare, {
      jobId: sfn.JsonPath.stringAt('$.jobId'),
      numConcurrent: sfn.JsonPath.numberAt('$.numConcurrent'),
    });
    const scoreChunks = new sfn.DistributedMap(this, 'ScoreChunks', {
      itemReader: new sfn.S3JsonItemReader({
        bucket: props.bucket,
        key: sfn.JsonPath.stringAt('$.itemsKey'),
      }),
      maxConcurrencyPath: sfn.JsonPath.stringAt('$.numConcurrent'),
      itemSelector: {
        jobId: sfn.JsonPath.stringAt('$$.Map.Item.Value.jobId'),
        index: sfn.JsonPath.numberAt('$$.Map.Item.Value.index'),
        worker: sfn.JsonPath.stringAt('$$.Map.Item.Value.worker'),
      },
      // No tolerated failures (CDK leaves out a ToleratedFailurePercentage of 0): the first failed chunk fails
      // the Map, as it does by default on AWS and in the local executor.
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
    });
    scoreChunks.itemProcessor(this.chunkProcessor(props));
    const finalize = this.lambdaStep('FinalizeJob', steps.finalize, {
      jobId: sfn.JsonPath.stringAt('$.jobId'),
    });
    for (const state of [prepare, scoreChunks, finalize]) onFailure(state);

    const done = new sfn.Succeed(this, 'Done');
    const definition = prepare.next(
      new sfn.Choice(this, 'PrepareOutcome')
        .when(sfn.Condition.booleanEquals('$.aborted', true), done)
        .otherwise(scoreChunks.next(finalize.next(done))),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.runtimeLimit,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.suppressServiceWildcards();
  }

  /**
   * One chunk item `{ jobId, index, worker }`: scored by the Lambda step or a Fargate task. Each outputs only its
   * index, so the results the Map gathers stay far below the 256 KiB state payload limit.
   */
  private chunkProcessor(props: BatchWorkflowProps): sfn.IChainable {
    const chunkFailed = new sfn.Fail(this, 'ChunkFailed', {
      error: 'ChunkFailed',
      cause: 'The chunk could not be scored; the job was aborted',
    });
    const failJobFromChunk = this.lambdaStep('FailJobFromChunk', props.steps.fail, {
      jobId: sfn.JsonPath.stringAt('$.jobId'),
      error: sfn.JsonPath.objectAt('$.error'),
    });
    failJobFromChunk.addCatch(chunkFailed, { resultPath: '$.failJobError' });
    failJobFromChunk.next(chunkFailed);

    const onLambda = this.lambdaStep(
      'ScoreChunk',
      props.steps.scoreChunk,
      {
        jobId: sfn.JsonPath.stringAt('$.jobId'),
        index: sfn.JsonPath.numberAt('$.index'),
        worker: sfn.JsonPath.stringAt('$.worker'),
      },
      { resultPath: sfn.JsonPath.DISCARD, outputPath: '$.index' },
    );
    const { worker } = props;
    const onFargate = new ClusterScopedEcsRunTask(this, 'ScoreChunkOnFargate', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: worker.cluster,
      taskDefinition: worker.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: worker.subnets,
      securityGroups: [worker.securityGroup],
      assignPublicIp: worker.assignPublicIp,
      containerOverrides: [
        {
          containerDefinition: worker.container,
          environment: [
            { name: 'JOB_ID', value: sfn.JsonPath.stringAt('$.jobId') },
            // Container environment values are strings.
            { name: 'CHUNK_INDEX', value: sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.index')) },
          ],
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
      outputPath: '$.index',
    });
    onFargate.addRetry({ errors: TRANSIENT_ECS_ERRORS, ...ECS_RETRY });
    for (const state of [onLambda, onFargate]) {
      state.addCatch(failJobFromChunk, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    }
    return new sfn.Choice(this, 'ChooseWorker')
      .when(sfn.Condition.stringEquals('$.worker', 'fargate'), onFargate)
      .otherwise(onLambda);
  }

  /** A Lambda step taking `payload`, whose output is the function's result, retried on transient errors. */
  private lambdaStep(
    id: string,
    fn: lambda.IFunction,
    payload: Record<string, unknown>,
    paths: { resultPath?: string; outputPath?: string } = { outputPath: '$.Payload' },
  ): tasks.LambdaInvoke {
    const step = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      // The Retry below names these errors itself, with the back-off used everywhere here.
      retryOnServiceExceptions: false,
      ...paths,
    });
    step.addRetry({ errors: TRANSIENT_LAMBDA_ERRORS, ...LAMBDA_RETRY });
    return step;
  }

  /** The wildcards CDK's grants for these services carry, each scoped as far as the service allows. */
  private suppressServiceWildcards(): void {
    const wildcard = (reason: string, appliesTo: string | RegExp) => ({
      id: 'AwsSolutions-IAM5',
      reason,
      appliesTo: [typeof appliesTo === 'string' ? appliesTo : { regex: `${appliesTo}g` }],
    });
    NagSuppressions.addResourceSuppressions(
      this.stateMachine,
      [
        wildcard('X-Ray and CloudWatch Logs delivery take no narrower resource.', 'Resource::*'),
        wildcard(
          'runTask.sync describes and stops the chunk task it started: any task of the worker cluster (ids are run-time).',
          /^Resource::arn:.*:ecs:.*:task\/<.*>\/\*$/,
        ),
        wildcard(
          'Invoking a step function covers its versions.',
          /^Resource::<Handlerstep[A-Za-z]+Function[0-9A-F]+\.Arn>:\*$/,
        ),
        wildcard(
          "The Map's ItemReader reads jobs/<id>/chunk-items.json; CDK grants GetObject on the bucket's objects.",
          /^Resource::arn:.*:s3:::<Data[0-9A-F]+>\/\*$/,
        ),
        wildcard(
          'The Distributed Map starts, describes, stops and redrives its own child executions (run-time names).',
          /^Resource::arn:.*:states:.*:execution:.*\*$/,
        ),
        wildcard(
          'Running the chunk worker covers its task definition revisions.',
          /^Resource::arn:.*ChunkWorkerTask[0-9A-F]+.*:\*$/,
        ),
      ],
      true,
    );
  }
}
