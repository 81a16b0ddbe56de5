import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { AdminKey } from '../constructs/admin-key.js';
import {
  API_STAGE,
  type ApiModule,
  type ApiThrottle,
  BatchlineApi,
  type StreamingRoute,
} from '../constructs/api.js';
import { grantDataAccess } from '../constructs/data-access.js';
import { DataStore } from '../constructs/data-store.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { UploadCompletion } from '../constructs/upload-completion.js';
import { UploadDataPlane } from '../constructs/upload-data-plane.js';

/** Environment variables the handlers read (functions/config.ts validates them at start). */
export const HANDLER_ENV = {
  bucket: 'BUCKET_NAME',
  jobsTable: 'JOBS_TABLE_NAME',
  resourcesTable: 'RESOURCES_TABLE_NAME',
  uploadSecretArn: 'UPLOAD_SECRET_ARN',
  dataPlaneUrl: 'DATA_PLANE_URL',
  jobRunner: 'JOB_RUNNER_FUNCTION_NAME',
  retentionHours: 'RETENTION_HOURS',
  uploadUrlSeconds: 'UPLOAD_URL_SECONDS',
  adminKeySecretArn: 'ADMIN_KEY_SECRET_ARN',
  longStreamUrl: 'LONG_STREAM_URL',
} as const;

export const DEFAULT_RETENTION_HOURS = 48;
const DEFAULT_UPLOAD_URL_SECONDS = 24 * 3600;
const DEFAULT_THROTTLE: ApiThrottle = { rateLimit: 50, burstLimit: 100 };
/** API Gateway gives up on a buffered integration after 29 s; a longer function would only burn time. */
const API_TIMEOUT = Duration.seconds(29);
/** Streamed downloads and the job runner may use Lambda's maximum; docs/data-plane.md covers longer jobs. */
const LONG_TIMEOUT = Duration.minutes(15);
const MEMORY_MB = 1024;
/** Scoring is CPU-bound and Lambda's CPU share grows with memory (about 1 vCPU per 1769 MB). */
const RUNNER_MEMORY_MB = 3008;
const BUCKET_PREFIXES = ['jobs/', 'models/'];

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BatchlineStackProps extends StackProps {
  /** Handler modules and the path prefixes they serve (functions/routes.ts `API_MODULES`). */
  readonly apiModules: readonly ApiModule[];
  /** Routes answered by response-streaming handler modules (the download). */
  readonly streamingRoutes?: readonly StreamingRoute[];
  /** Handler modules that load ONNX models and so ship onnxruntime-node's native addon. */
  readonly onnxRuntimeModules?: readonly string[];
  /** Handler module that runs a job's workflow steps, invoked asynchronously by the API (LambdaWorkflow). */
  readonly jobRunnerModule?: string;
  /** Handler module started by S3 when a single-PUT upload lands; omitted, no completion rule is made. */
  readonly uploadReceivedModule?: string;
  /** Hours job data is kept (default 48); the bucket rounds up to whole days. */
  readonly retentionHours?: number;
  readonly uploadUrlSeconds?: number;
  /** Base URL of the long-stream service the download redirects long RUNNING jobs to (docs/data-plane.md). */
  readonly longStreamUrl?: string;
  readonly throttle?: ApiThrottle;
  /** Bundle handler code with esbuild (default). Unit tests pass false to synthesize inline stand-ins fast. */
  readonly bundle?: boolean;
}

/** Batchline on AWS: data, the REST API with one Lambda per handler module, and the upload data plane. */
export class BatchlineStack extends Stack {
  private readonly functions = new Map<string, lambda.Function>();

  constructor(scope: Construct, id: string, props: BatchlineStackProps) {
    super(scope, id, props);
    const retentionHours = props.retentionHours ?? DEFAULT_RETENTION_HOURS;
    const streamingRoutes = props.streamingRoutes ?? [];
    const streamingModules = new Set(streamingRoutes.map((route) => route.handler));
    const onnxRuntimeModules = new Set(props.onnxRuntimeModules ?? []);
    const apiHandlers = new Set([...props.apiModules.map((m) => m.handler), ...streamingModules]);
    const data = new DataStore(this, 'Data', { retentionHours });
    const adminKey = new AdminKey(this, 'AdminKey');

    // A fixed name, so every handler (the runner included) can be told it without referencing itself.
    const jobRunnerName = `${this.stackName}-job-runner`;
    const isRunner = (module: string): boolean => module === props.jobRunnerModule;
    const functionFor = (module: string): lambda.Function => {
      const existing = this.functions.get(module);
      if (existing !== undefined) return existing;
      const { function: fn } = new HandlerFunction(this, `Handler-${module}`, {
        module,
        // The runner hands a job longer than one invocation to a new invocation of itself; each hand-over needs
        // progress (functions/job-runner.ts), so it cannot loop for ever.
        ...(isRunner(module) ? { functionName: jobRunnerName, invokesItself: true } : {}),
        projectRoot: REPOSITORY_ROOT,
        bundle: props.bundle ?? true,
        onnxRuntime: onnxRuntimeModules.has(module) || isRunner(module),
        timeout: streamingModules.has(module) || isRunner(module) ? LONG_TIMEOUT : API_TIMEOUT,
        memorySize: isRunner(module) ? RUNNER_MEMORY_MB : MEMORY_MB,
        environment: {
          POWERTOOLS_SERVICE_NAME: `batchline-${module}`,
          [HANDLER_ENV.bucket]: data.bucket.bucketName,
          [HANDLER_ENV.jobsTable]: data.jobsTable.tableName,
          [HANDLER_ENV.resourcesTable]: data.resourcesTable.tableName,
          [HANDLER_ENV.jobRunner]: jobRunnerName,
          [HANDLER_ENV.retentionHours]: String(retentionHours),
          [HANDLER_ENV.uploadUrlSeconds]: String(props.uploadUrlSeconds ?? DEFAULT_UPLOAD_URL_SECONDS),
          ...(apiHandlers.has(module) ? { [HANDLER_ENV.adminKeySecretArn]: adminKey.secret.secretArn } : {}),
          ...(streamingModules.has(module) && props.longStreamUrl !== undefined
            ? { [HANDLER_ENV.longStreamUrl]: props.longStreamUrl }
            : {}),
        },
      });
      if (apiHandlers.has(module)) adminKey.secret.grantRead(fn);
      this.functions.set(module, fn);
      return fn;
    };

    const api = new BatchlineApi(this, 'Api', {
      modules: props.apiModules,
      streamingRoutes,
      functionFor,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
    });
    const jobRunner = props.jobRunnerModule === undefined ? undefined : functionFor(props.jobRunnerModule);
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
      apiStage: API_STAGE,
    });
    const dataPlaneUrl = `https://${dataPlane.distribution.distributionDomainName}`;
    for (const fn of this.functions.values()) {
      // Added after the distribution exists: the distribution points at the API, the handlers at the distribution.
      fn.addEnvironment(HANDLER_ENV.dataPlaneUrl, dataPlaneUrl);
      fn.addEnvironment(HANDLER_ENV.uploadSecretArn, dataPlane.uploadSecret.secretArn);
      grantDataAccess(fn, {
        bucket: data.bucket,
        prefixes: BUCKET_PREFIXES,
        tables: [data.jobsTable, data.resourcesTable],
        uploadSecret: dataPlane.uploadSecret,
      });
      if (jobRunner !== undefined) {
        // The unqualified function only; grantInvoke would add every version and alias (`<arn>:*`). Built from
        // the fixed name, since the runner hands long jobs over to itself and its own ARN would be a cycle.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['lambda:InvokeFunction'],
            resources: [
              this.formatArn({
                service: 'lambda',
                resource: 'function',
                resourceName: jobRunnerName,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          }),
        );
      }
    }

    new CfnOutput(this, 'ApiUrl', {
      description: 'DataRobot client endpoint (dr.Client(endpoint=...))',
      value: `${api.restApi.url}api/v2`,
    });
    new CfnOutput(this, 'DataPlaneUrl', { description: 'Upload data plane base URL', value: dataPlaneUrl });
    new CfnOutput(this, 'BucketName', { value: data.bucket.bucketName });
    new CfnOutput(this, 'UploadSecretArn', { value: dataPlane.uploadSecret.secretArn });
    new CfnOutput(this, 'SigningKeyStoreArn', { value: dataPlane.signingKeys.keyValueStoreArn });
    new CfnOutput(this, 'AdminKeySecretArn', {
      description: 'The bootstrap admin API key (aws secretsmanager get-secret-value --secret-id <arn>)',
      value: adminKey.secret.secretArn,
    });
    this.suppressPlatformFindings();
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
