import { join } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/**
 * Graviton: about 20% cheaper per GB-second than x86_64 for the same work, and onnxruntime-node ships a native
 * linux/arm64 build (NEON kernels) that is about half the size of the x64 one (25 MB vs 46 MB), which keeps
 * scoring functions' cold starts and the 250 MB unzipped package limit comfortable.
 */
export const HANDLER_ARCHITECTURE = lambda.Architecture.ARM_64;
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_22_X;

export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

/** onnxruntime-node's prebuilt binaries for every platform but the one Lambda runs (see HANDLER_ARCHITECTURE). */
const FOREIGN_ONNXRUNTIME_BINARIES = ['napi-v*/darwin', 'napi-v*/win32', 'napi-v*/linux/x64'];

/** Stand-in code for synthesis without bundling (unit tests); it answers 501 if ever deployed. */
const STAND_IN_CODE =
  'exports.handler = async () => ({ statusCode: 501, body: \'{"message":"not bundled"}\' });';

export interface HandlerFunctionProps {
  /** Module name under `functions/`, e.g. `batch-predictions`; its `handler` export is the entry point. */
  readonly module: string;
  /** A fixed physical name, for functions others must find by name; otherwise CloudFormation names it. */
  readonly functionName?: string;
  /** Lambda stops functions it sees invoking themselves in a loop; a function that does so on purpose says so. */
  readonly invokesItself?: boolean;
  /** Repository root holding `functions/`, `package-lock.json` and `tsconfig.json`. */
  readonly projectRoot: string;
  /** Bundle with esbuild (the real app); false synthesizes an inline stand-in, only for fast unit tests. */
  readonly bundle: boolean;
  /** Ship onnxruntime-node's native addon beside the bundle: only for functions that load or score models. */
  readonly onnxRuntime: boolean;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** How long the function's log group keeps events. */
  readonly logRetention: logs.RetentionDays;
  /** Subnets and security group to run in (workers reaching private databases); absent, Lambda's own network. */
  readonly network?: FunctionNetwork;
}

/** Where a function runs inside a customer's VPC. */
export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
}

/** One Lambda function for one handler module, with its own log group. */
export class HandlerFunction extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const common = {
      ...(props.functionName === undefined ? {} : { functionName: props.functionName }),
      ...(props.invokesItself ? { recursiveLoop: lambda.RecursiveLoop.ALLOW } : {}),
      runtime: HANDLER_RUNTIME,
      architecture: HANDLER_ARCHITECTURE,
      timeout: props.timeout,
      memorySize: props.memorySize,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup,
      // Powertools' tracer (shared/observability/observability.ts) adds the handler's subsegments to Lambda's trace.
      tracing: lambda.Tracing.ACTIVE,
      ...(props.network === undefined
        ? {}
        : {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: [props.network.securityGroup],
          }),
    };
    this.function = props.bundle
      ? new nodejs.NodejsFunction(this, 'Function', { ...common, ...bundledCode(props) })
      : new lambda.Function(this, 'Function', {
          ...common,
          handler: 'index.handler',
          code: lambda.Code.fromInline(STAND_IN_CODE),
        });
    if (this.function.role !== undefined) {
      NagSuppressions.addResourceSuppressions(
        this.function.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords take no resource.',
            appliesTo: ['Resource::*'],
          },
        ],
        true,
      );
    }
  }
}

function bundledCode(props: HandlerFunctionProps): nodejs.NodejsFunctionProps {
  return {
    entry: join(props.projectRoot, 'functions', `${props.module}.ts`),
    handler: 'handler',
    projectRoot: props.projectRoot,
    depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
    bundling: {
      forceDockerBundling: false,
      format: nodejs.OutputFormat.ESM,
      target: 'node22',
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      tsconfig: join(props.projectRoot, 'tsconfig.json'),
      // The AWS SDK is bundled rather than taken from the runtime, so it is the version the adapters were tested
      // with. onnxruntime-node is a native addon esbuild cannot bundle; functions that load it ship it beside.
      externalModules: [ONNX_RUNTIME_PACKAGE],
      // CommonJS dependencies inside an ESM bundle still call require().
      banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      // The postinstall would download GPU providers Lambda cannot use.
      environment: { ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_prefer_offline: 'true' },
      ...(props.onnxRuntime
        ? {
            nodeModules: [ONNX_RUNTIME_PACKAGE],
            commandHooks: {
              beforeBundling: () => [],
              beforeInstall: () => [],
              afterBundling: (_input: string, output: string) =>
                FOREIGN_ONNXRUNTIME_BINARIES.map(
                  (dir) => `rm -rf ${output}/node_modules/onnxruntime-node/bin/${dir}`,
                ),
            },
          }
        : {}),
    },
  };
}
