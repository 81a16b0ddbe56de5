import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { LAMBDA_WORKER_LIMITS } from '../../shared/use-cases/jobs/choose-worker.js';
import { AdminKey } from '../constructs/admin-key.js';
import {
  type ApiModule,
  type ApiThrottle,
  BatchlineApi,
  DEFAULT_API_STAGE,
  type StreamingRoute,
} from '../constructs/api.js';
import { BatchWorkflow, STEP_MODULES } from '../constructs/batch-workflow.js';
import { grantDataAccess } from '../constructs/data-access.js';
import { DataStore } from '../constructs/data-store.js';
import { FargateChunkWorker, type WorkerNetwork } from '../constructs/fargate-chunk-worker.js';
import { type FunctionNetwork, HandlerFunction } from '../constructs/handler-function.js';
import { JOB_DEFINITIONS_MODULE, JobScheduling, SCHEDULING_MODULES } from '../constructs/job-scheduling.js';
import { Observability } from '../constructs/observability.js';
import { RuntimeLimitRule } from '../constructs/runtime-limit-rule.js';
import { UploadCompletion } from '../constructs/upload-completion.js';
import { UploadDataPlane } from '../constructs/upload-data-plane.js';

/** Environment variables the handlers read (functions/config.ts validates them at start). */
export const HANDLER_ENV = {
  bucket: 'BUCKET_NAME',
  jobsTable: 'JOBS_TABLE_NAME',
  resourcesTable: 'RESOURCES_TABLE_NAME',
  uploadSecretArn: 'UPLOAD_SECRET_ARN',
  dataPlaneUrl: 'DATA_PLANE_URL',
  stateMachineArn: 'STATE_MACHINE_ARN',
  retentionHours: 'RETENTION_HOURS',
  jobRuntimeLimitHours: 'JOB_RUNTIME_LIMIT_HOURS',
  maxConcurrentJobs: 'MAX_CONCURRENT_JOBS_PER_DEPLOYMENT',
  uploadUrlSeconds: 'UPLOAD_URL_SECONDS',
  adminKeySecretArn: 'ADMIN_KEY_SECRET_ARN',
  longStreamUrl: 'LONG_STREAM_URL',
  externalWriteLimitBytes: 'EXTERNAL_WRITE_LIMIT_BYTES',
} as const;

export const DEFAULT_RETENTION_HOURS = 48;
/** Days every log group keeps events unless the app says otherwise. */
export const DEFAULT_LOG_RETENTION_DAYS = logs.RetentionDays.ONE_MONTH;
/** The tag naming the deployment stage on every resource. */
export const STAGE_TAG = 'batchline:stage';
/** DataRobot's default job runtime limit. */
export const DEFAULT_JOB_RUNTIME_LIMIT_HOURS = 4;
/** The CDK tag naming a function's handler module (the local runner maps the state machine's tasks by it). */
export const MODULE_TAG = 'batchline:module';
const DEFAULT_UPLOAD_URL_SECONDS = 24 * 3600;
const DEFAULT_THROTTLE: ApiThrottle = { rateLimit: 50, burstLimit: 100 };
/** API Gateway gives up on a buffered integration after 29 s; a longer function would only burn time. */
const API_TIMEOUT = Duration.seconds(29);
/** Streamed downloads and the workflow steps may use Lambda's maximum; docs/data-plane.md covers longer jobs. */
const LONG_TIMEOUT = Duration.minutes(15);
const MEMORY_MB = 1024;
/**
 * Steps that load the model (prepare checks the input against it) and score; scoring is CPU-bound and Lambda's
 * CPU share grows with memory (about 1 vCPU per 1769 MB). The chunk scorer's size is the one its worker choice
 * assumes.
 */
const SCORING_SIZE = {
  timeout: Duration.seconds(LAMBDA_WORKER_LIMITS.timeoutSeconds),
  memorySize: LAMBDA_WORKER_LIMITS.memoryMb,
};
const STEP_SIZES: Readonly<Record<string, { timeout: Duration; memorySize: number }>> = {
  [STEP_MODULES.prepare]: SCORING_SIZE,
  [STEP_MODULES.scoreChunk]: SCORING_SIZE,
  [STEP_MODULES.finalize]: { timeout: LONG_TIMEOUT, memorySize: MEMORY_MB },
  [STEP_MODULES.fail]: { timeout: Duration.minutes(5), memorySize: MEMORY_MB },
};
const BUCKET_PREFIXES = ['jobs/', 'models/', 'projects/', 'datasets/', 'monitoring/'];
/** The step functions that read and write customers' data sources, and so run in the worker network when given. */
const WORKER_MODULES: ReadonlySet<string> = new Set(Object.values(STEP_MODULES));

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BatchlineStackProps extends StackProps {
  /** Handler modules and the path prefixes they serve (functions/routes.ts `API_MODULES`). */
  readonly apiModules: readonly ApiModule[];
  /** Routes answered by response-streaming handler modules (the download). */
  readonly streamingRoutes?: readonly StreamingRoute[];
  /** Handler modules that load ONNX models and so ship onnxruntime-node's native addon. */
  readonly onnxRuntimeModules?: readonly string[];
  /** Handler module started by S3 when a single-PUT upload lands; omitted, no completion rule is made. */
  readonly uploadReceivedModule?: string;
  /** Hours job data is kept (default 48); the bucket rounds up to whole days. */
  readonly retentionHours?: number;
  /** Hours a job may run before it is ended ABORTED (default 4): the state machine's timeout. */
  readonly jobRuntimeLimitHours?: number;
  /** Jobs one deployment runs at once, the others queueing (default: the use cases', 1). */
  readonly maxConcurrentJobsPerDeployment?: number;
  /**
   * A VPC and subnets the workers (the step functions and the Fargate chunk worker) run in, to reach databases
   * that are not public. The subnets need a route to the AWS APIs (a NAT gateway or VPC endpoints); nothing is
   * looked up, so synthesis stays offline. Absent, the step functions run in Lambda's own network and the Fargate
   * worker in a VPC of public subnets the stack makes.
   */
  readonly workerNetwork?: WorkerNetworkIds;
  /** The deployment stage (`prod`, `dev`...): the API Gateway stage and a tag on every resource (default `prod`). */
  readonly stage?: string;
  /** Days the log groups keep events: one of CloudWatch Logs' retention values (default 30). */
  readonly logRetentionDays?: logs.RetentionDays;
  /** An address the alarm topic mails; absent, subscribe to the `AlarmTopicArn` output yourself. */
  readonly alarmEmail?: string;
  /** Most bytes a job writes to an external destination (S3 output); default the use cases' (100 GB). */
  readonly externalWriteLimitBytes?: number;
  /**
   * Buckets of the customer's the stack's own role may read and write when a job names one without a stored
   * credential (S3 intake and output, dataset `fromURL`); absent, such jobs need a credential.
   */
  readonly externalBuckets?: readonly string[];
  readonly uploadUrlSeconds?: number;
  /** Base URL of the long-stream service the download redirects long RUNNING jobs to (docs/data-plane.md). */
  readonly longStreamUrl?: string;
  readonly throttle?: ApiThrottle;
  /**
   * Bundle handler code with esbuild and stage the chunk worker's image from the Dockerfile (default). Unit tests
   * pass false to synthesize inline stand-ins fast.
   */
  readonly bundle?: boolean;
}

/** An existing VPC and the subnets in it Batchline's workers run in. */
export interface WorkerNetworkIds {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

/**
 * Batchline on AWS: data, the REST API with one Lambda per handler module, the upload data plane, and the job
 * workflow (a Step Functions state machine with Lambda steps and a Fargate chunk worker).
 */
export class BatchlineStack extends Stack {
  private readonly functions = new Map<string, lambda.Function>();

  constructor(scope: Construct, id: string, props: BatchlineStackProps) {
    super(scope, id, props);
    const retentionHours = props.retentionHours ?? DEFAULT_RETENTION_HOURS;
    const runtimeLimitHours = props.jobRuntimeLimitHours ?? DEFAULT_JOB_RUNTIME_LIMIT_HOURS;
    if (!(runtimeLimitHours > 0))
      throw new Error(`jobRuntimeLimitHours must be positive, got ${runtimeLimitHours}`);
    const bundle = props.bundle ?? true;
    const stage = props.stage ?? DEFAULT_API_STAGE;
    const logRetention = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    Tags.of(this).add(STAGE_TAG, stage);
    const streamingRoutes = props.streamingRoutes ?? [];
    const streamingModules = new Set(streamingRoutes.map((route) => route.handler));
    const onnxRuntimeModules = new Set(props.onnxRuntimeModules ?? []);
    const apiHandlers = new Set([...props.apiModules.map((m) => m.handler), ...streamingModules]);
    const data = new DataStore(this, 'Data', { retentionHours });
    const adminKey = new AdminKey(this, 'AdminKey');

    // A fixed name, so every handler (the steps included) can be given its ARN without referencing it.
    const stateMachineName = `${this.stackName}-jobs`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // Fixed too: Scheduler's role and the schedules name it, and it manages schedules itself.
    const scheduledRunName = `${this.stackName}-scheduled-runs`;
    const scheduledRunArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: scheduledRunName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const environment: Record<string, string> = {
      [HANDLER_ENV.bucket]: data.bucket.bucketName,
      [HANDLER_ENV.jobsTable]: data.jobsTable.tableName,
      [HANDLER_ENV.resourcesTable]: data.resourcesTable.tableName,
      [HANDLER_ENV.stateMachineArn]: stateMachineArn,
      [HANDLER_ENV.retentionHours]: String(retentionHours),
      [HANDLER_ENV.jobRuntimeLimitHours]: String(runtimeLimitHours),
      [HANDLER_ENV.uploadUrlSeconds]: String(props.uploadUrlSeconds ?? DEFAULT_UPLOAD_URL_SECONDS),
      ...(props.maxConcurrentJobsPerDeployment === undefined
        ? {}
        : { [HANDLER_ENV.maxConcurrentJobs]: String(props.maxConcurrentJobsPerDeployment) }),
      ...(props.externalWriteLimitBytes === undefined
        ? {}
        : { [HANDLER_ENV.externalWriteLimitBytes]: String(props.externalWriteLimitBytes) }),
    };
    const sizeOf = (module: string) =>
      STEP_SIZES[module] ?? {
        timeout: streamingModules.has(module) ? LONG_TIMEOUT : API_TIMEOUT,
        memorySize: MEMORY_MB,
      };
    // Set once the worker exists (below): the step functions share its security group.
    let workerFunctionNetwork: FunctionNetwork | undefined;
    const functionFor = (module: string): lambda.Function => {
      const existing = this.functions.get(module);
      if (existing !== undefined) return existing;
      const { function: fn } = new HandlerFunction(this, `Handler-${module}`, {
        module,
        ...(module === SCHEDULING_MODULES.scheduledRun ? { functionName: scheduledRunName } : {}),
        projectRoot: REPOSITORY_ROOT,
        bundle,
        onnxRuntime: onnxRuntimeModules.has(module),
        logRetention,
        ...(WORKER_MODULES.has(module) && workerFunctionNetwork !== undefined
          ? { network: workerFunctionNetwork }
          : {}),
        ...sizeOf(module),
        environment: {
          POWERTOOLS_SERVICE_NAME: `batchline-${module}`,
          ...environment,
          ...(apiHandlers.has(module) ? { [HANDLER_ENV.adminKeySecretArn]: adminKey.secret.secretArn } : {}),
          ...(streamingModules.has(module) && props.longStreamUrl !== undefined
            ? { [HANDLER_ENV.longStreamUrl]: props.longStreamUrl }
            : {}),
        },
      });
      Tags.of(fn).add(MODULE_TAG, module);
      if (apiHandlers.has(module)) adminKey.secret.grantRead(fn);
      this.functions.set(module, fn);
      return fn;
    };

    const api = new BatchlineApi(this, 'Api', {
      modules: props.apiModules,
      streamingRoutes,
      functionFor,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      stageName: stage,
      logRetention,
    });
    if (props.uploadReceivedModule !== undefined) {
      new UploadCompletion(this, 'UploadCompletion', {
        bucket: data.bucket,
        handler: functionFor(props.uploadReceivedModule),
      });
    }
    const dataPlane = new UploadDataPlane(this, 'DataPlane', {
      bucket: data.bucket,
      logsBucket: data.logsBucket,
      restApiId: api.restApi.restApiId,
      // A literal stage name: referencing the Stage would make the distribution wait on every method.
      apiStage: stage,
    });
    const dataPlaneUrl = `https://${dataPlane.distribution.distributionDomainName}`;
    // Added after the distribution exists: the distribution points at the API, the handlers at the distribution.
    environment[HANDLER_ENV.dataPlaneUrl] = dataPlaneUrl;
    environment[HANDLER_ENV.uploadSecretArn] = dataPlane.uploadSecret.secretArn;

    const network = props.workerNetwork === undefined ? undefined : this.importNetwork(props.workerNetwork);
    const worker = new FargateChunkWorker(this, 'ChunkWorker', {
      projectRoot: REPOSITORY_ROOT,
      buildImage: bundle,
      ...(network === undefined ? {} : { network }),
      environment,
      logRetention,
    });
    if (network !== undefined) {
      workerFunctionNetwork = { ...network, securityGroup: worker.securityGroup };
      this.suppressVpcAccessPolicy();
      new CfnOutput(this, 'WorkerSecurityGroupId', {
        description: "The workers' security group: allow it into your databases",
        value: worker.securityGroup.securityGroupId,
      });
    }
    const steps = {
      prepare: functionFor(STEP_MODULES.prepare),
      scoreChunk: functionFor(STEP_MODULES.scoreChunk),
      finalize: functionFor(STEP_MODULES.finalize),
      fail: functionFor(STEP_MODULES.fail),
    };
    const workflow = new BatchWorkflow(this, 'Workflow', {
      stateMachineName,
      bucket: data.bucket,
      steps,
      worker,
      runtimeLimit: Duration.hours(runtimeLimitHours),
      logRetention,
    });
    new RuntimeLimitRule(this, 'RuntimeLimit', {
      stateMachine: workflow.stateMachine,
      failJob: steps.fail,
      runtimeLimitHours,
    });

    const scheduledRun = functionFor(SCHEDULING_MODULES.scheduledRun);
    const definitionManagers = [functionFor(JOB_DEFINITIONS_MODULE), scheduledRun];
    const scheduling = new JobScheduling(this, 'JobScheduling', {
      groupName: `${this.stackName}-definitions`,
      scheduledRun,
      scheduledRunArn,
      drop: functionFor(SCHEDULING_MODULES.drop),
      bucket: data.bucket,
      managers: definitionManagers,
    });
    for (const fn of definitionManagers) {
      for (const [name, value] of Object.entries(scheduling.environment(scheduledRunArn))) {
        fn.addEnvironment(name, value);
      }
    }

    const dataAccess = {
      bucket: data.bucket,
      prefixes: BUCKET_PREFIXES,
      tables: [data.jobsTable, data.resourcesTable],
      uploadSecret: dataPlane.uploadSecret,
      credentialsTable: data.resourcesTable,
      externalBuckets: props.externalBuckets ?? [],
    };
    // Ending a job starts the next queued one, so every handler and the worker may start executions.
    const startExecution = new iam.PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [stateMachineArn],
    });
    for (const [module, fn] of this.functions) {
      fn.addEnvironment(HANDLER_ENV.dataPlaneUrl, dataPlaneUrl);
      fn.addEnvironment(HANDLER_ENV.uploadSecretArn, dataPlane.uploadSecret.secretArn);
      if (fn.role === undefined) throw new Error(`function ${module} has no role`);
      grantDataAccess(fn.role, dataAccess);
      fn.addToRolePolicy(startExecution);
      if (apiHandlers.has(module)) this.allowStoppingExecutions(fn, stateMachineName);
    }
    grantDataAccess(worker.taskDefinition.taskRole, dataAccess);
    worker.taskDefinition.addToTaskRolePolicy(startExecution);

    new CfnOutput(this, 'ApiUrl', {
      description: 'DataRobot client endpoint (dr.Client(endpoint=...))',
      value: `${api.restApi.url}api/v2`,
    });
    new CfnOutput(this, 'DataPlaneUrl', { description: 'Upload data plane base URL', value: dataPlaneUrl });
    new CfnOutput(this, 'BucketName', { value: data.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'UploadSecretArn', { value: dataPlane.uploadSecret.secretArn });
    new CfnOutput(this, 'SigningKeyStoreArn', { value: dataPlane.signingKeys.keyValueStoreArn });
    new CfnOutput(this, 'AdminKeySecretArn', {
      description: 'The bootstrap admin API key (aws secretsmanager get-secret-value --secret-id <arn>)',
      value: adminKey.secret.secretArn,
    });
    // Last, so that it sees every function and dead-letter queue the stack has.
    const observability = new Observability(this, 'Observability', {
      functions: this.functions,
      restApi: api.restApi,
      stateMachine: workflow.stateMachine,
      deadLetterQueues: this.deadLetterQueues(),
      ...(props.alarmEmail === undefined ? {} : { alarmEmail: props.alarmEmail }),
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Alarm notifications (aws sns subscribe --topic-arn <arn> --protocol email ...)',
      value: observability.alarmTopic.topicArn,
    });
    this.suppressPlatformFindings();
  }

  /**
   * Every SQS queue in the stack, by its construct path below the stack (`RuntimeLimit-DeadLetters`): each is the
   * dead-letter queue of an EventBridge target or a schedule, so a message in any is worth an alarm.
   */
  private deadLetterQueues(): Map<string, sqs.IQueue> {
    const queues = this.node.findAll().filter((c): c is sqs.Queue => c instanceof sqs.Queue);
    return new Map(queues.map((queue) => [queue.node.path.split('/').slice(1).join('-'), queue]));
  }

  /** The customer's VPC and subnets, from their ids alone (no lookup: synthesis needs no AWS account). */
  private importNetwork(ids: WorkerNetworkIds): WorkerNetwork {
    if (!/^vpc-[0-9a-f]+$/.test(ids.vpcId))
      throw new Error(`workerNetwork.vpcId is not a VPC id: ${ids.vpcId}`);
    if (ids.subnetIds.length === 0 || ids.subnetIds.some((id) => !/^subnet-[0-9a-f]+$/.test(id))) {
      throw new Error(
        `workerNetwork.subnetIds must be one or more subnet ids, got ${ids.subnetIds.join(',')}`,
      );
    }
    // Only the explicit subnets below are ever selected, so the VPC's own subnet lists stay empty and its zones
    // are the region's, resolved at deploy time.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'WorkerVpc', {
      vpcId: ids.vpcId,
      availabilityZones: Fn.getAzs(),
    });
    const subnets = ids.subnetIds.map((id) => ec2.Subnet.fromSubnetId(this, `WorkerSubnet-${id}`, id));
    return { vpc, subnets: { subnets } };
  }

  private suppressVpcAccessPolicy(): void {
    NagSuppressions.addStackSuppressions(this, [
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'Step functions in a VPC use the AWS-managed VPC access policy (their network interfaces only).',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
        ],
      },
    ]);
  }

  /** Aborting a job (the API) stops its execution, which is named after the job. */
  private allowStoppingExecutions(fn: lambda.Function, stateMachineName: string): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StopExecution'],
        resources: [
          this.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    if (fn.role === undefined) return;
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: "Executions are named after jobs, known at run time; scoped to this stack's state machine.",
          appliesTo: [{ regex: '/^Resource::arn:.*:states:.*:execution:.*:\\*$/g' }],
        },
      ],
      true,
    );
  }

  private suppressPlatformFindings(): void {
    NagSuppressions.addStackSuppressions(this, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'Lambda roles use the AWS-managed basic execution policy (CloudWatch Logs only).',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'nodejs22.x is the newest runtime onnxruntime-node 1.30 and the handlers are tested on.',
      },
    ]);
  }
}
