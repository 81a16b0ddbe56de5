import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/**
 * The worker's size. Fargate's largest arm64 sizes go to 16 vCPU / 120 GB; 4 vCPU / 16 GB covers models about
 * ten times the Lambda scorer's limit (shared/use-cases/jobs/choose-worker.ts) at a moderate hourly price.
 */
const WORKER_CPU = 4096;
const WORKER_MEMORY_MIB = 16384;
/** The stand-in image reference for synthesis without the image asset (unit tests); it does not exist. */
const STAND_IN_IMAGE = 'batchline/chunk-worker:not-built';

export interface FargateChunkWorkerProps {
  /** Repository root holding the Dockerfile; the image builds from it when the app is deployed. */
  readonly projectRoot: string;
  /** Stage the image asset (the real app); false references a stand-in image, only for fast unit tests. */
  readonly buildImage: boolean;
  /**
   * An existing VPC and the subnets (private, with a route to AWS APIs) the tasks run in. Absent, a VPC of public
   * subnets without NAT gateways is made: tasks get public IPs and reach S3 and DynamoDB through gateway endpoints.
   */
  readonly network?: WorkerNetwork;
  readonly environment: Record<string, string>;
  /** How long the worker's (and the VPC flow logs') log groups keep events. */
  readonly logRetention: logs.RetentionDays;
}

/** A customer's VPC and the subnets Batchline's workers run in. */
export interface WorkerNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
}

/**
 * The Fargate chunk worker (linux/arm64): an ECS cluster, the task definition running functions/chunk-worker-main
 * from the repository's Dockerfile, and the network its tasks run in. The state machine runs one task per chunk
 * (ecs:runTask.sync) with JOB_ID and CHUNK_INDEX as container environment.
 */
export class FargateChunkWorker extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.SecurityGroup;
  readonly assignPublicIp: boolean;

  constructor(scope: Construct, id: string, props: FargateChunkWorkerProps) {
    super(scope, id);
    const vpc = props.network?.vpc ?? this.publicOnlyVpc(props.logRetention);
    this.assignPublicIp = props.network === undefined;
    this.subnets = props.network?.subnets ?? { subnetType: ec2.SubnetType.PUBLIC };
    this.securityGroup = new ec2.SecurityGroup(this, 'Tasks', {
      vpc,
      description: 'Batchline workers: no inbound traffic; outbound to AWS APIs and data sources',
      allowAllOutbound: true,
    });
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: WORKER_CPU,
      memoryLimitMiB: WORKER_MEMORY_MIB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.container = this.taskDefinition.addContainer('worker', {
      image: props.buildImage
        ? ecs.ContainerImage.fromAsset(props.projectRoot, { platform: Platform.LINUX_ARM64 })
        : ecs.ContainerImage.fromRegistry(STAND_IN_IMAGE),
      environment: { POWERTOOLS_SERVICE_NAME: 'batchline-chunk-worker', ...props.environment },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'chunk-worker' }),
    });
    NagSuppressions.addResourceSuppressions(this.taskDefinition, [
      {
        id: 'AwsSolutions-ECS2',
        reason:
          'The environment holds resource names and ARNs only; the secrets are read from Secrets Manager.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      this.taskDefinition.obtainExecutionRole(),
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'ecr:GetAuthorizationToken has no resource-level permissions; ECS needs it to pull the image.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  /** Public subnets in two AZs, no NAT gateway (no hourly cost), flow logs, and S3/DynamoDB gateway endpoints. */
  private publicOnlyVpc(logRetention: logs.RetentionDays): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Network', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
    return vpc;
  }
}
