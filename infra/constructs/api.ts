import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** The API base every route lives under (docs/api.md: `E = <base>/api/v2`). */
export const API_PREFIX = ['api', 'v2'] as const;
/** The API Gateway stage when the app names none (the `stage` context). */
export const DEFAULT_API_STAGE = 'prod';

/** A handler module and the first path segments below `/api/v2` it serves (the shape of functions/routes.ts). */
export interface ApiModule {
  readonly handler: string;
  readonly prefixes: readonly string[];
}

/** A route answered by a response-streaming handler, e.g. `{ path: '/batchPredictions/{id}/download', ... }`. */
export interface StreamingRoute {
  readonly path: string;
  readonly handler: string;
}

export interface ApiThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface BatchlineApiProps {
  readonly modules: readonly ApiModule[];
  readonly streamingRoutes: readonly StreamingRoute[];
  /** The Lambda function of a handler module (one per module). */
  readonly functionFor: (handler: string) => lambda.IFunction;
  readonly throttle: ApiThrottle;
  /** The API Gateway stage, the first path segment of every URL (`/<stage>/api/v2`). */
  readonly stageName: string;
  /** How long the access log group keeps events. */
  readonly logRetention: logs.RetentionDays;
}

/** API Gateway's own error answers, DataRobot-shaped: JSON without charset (protocol: "Error handling"). */
const JSON_ERROR = { 'application/json': '{"message":$context.error.messageString}' };
const JSON_CONTENT_TYPE = { 'Content-Type': "'application/json'" };

/**
 * The REST API (REST rather than HTTP API: only REST streams Lambda responses, which downloads of running jobs
 * need, and it has per-stage throttling and usage plans). Each module gets `/<prefix>` and everything below it;
 * a streaming route gets its own resource with a STREAM integration, the module still owning its siblings.
 */
export class BatchlineApi extends Construct {
  readonly restApi: apigw.RestApi;

  constructor(scope: Construct, id: string, props: BatchlineApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: 'batchline',
      description: 'Batchline: DataRobot-compatible Batch Prediction API',
      // Regional: an edge-optimized endpoint cuts idle streams after 30 s, regional after 5 minutes.
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // File uploads (datasets, prediction datasets) reach the handlers base64-encoded, byte for byte.
      binaryMediaTypes: ['multipart/form-data'],
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
      },
    });
    this.addGatewayResponses();
    const base = API_PREFIX.reduce<apigw.IResource>(
      (resource, part) => resource.addResource(part),
      this.restApi.root,
    );
    for (const route of props.streamingRoutes) {
      const integration = new apigw.LambdaIntegration(props.functionFor(route.handler), {
        responseTransferMode: apigw.ResponseTransferMode.STREAM,
      });
      resourceAt(base, route.path).addMethod('ANY', integration);
    }
    for (const module of props.modules) {
      const integration = new apigw.LambdaIntegration(props.functionFor(module.handler));
      for (const prefix of module.prefixes)
        routeSubtree(base.getResource(prefix) ?? base.addResource(prefix), integration);
    }
    this.suppressAuthorizationFindings();
  }

  private addGatewayResponses(): void {
    this.restApi.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      responseHeaders: JSON_CONTENT_TYPE,
      templates: JSON_ERROR,
    });
    this.restApi.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      responseHeaders: JSON_CONTENT_TYPE,
      templates: JSON_ERROR,
    });
    // Unknown paths: API Gateway says 403 "Missing Authentication Token"; the contract says 404.
    this.restApi.addGatewayResponse('UnknownRoute', {
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      responseHeaders: JSON_CONTENT_TYPE,
      templates: { 'application/json': '{"message":"Not found"}' },
    });
    // DataRobot clients retry 429 on GET/PUT/DELETE only when Retry-After is present.
    this.restApi.addGatewayResponse('Throttled', {
      type: apigw.ResponseType.THROTTLED,
      responseHeaders: { ...JSON_CONTENT_TYPE, 'Retry-After': "'1'" },
      templates: JSON_ERROR,
    });
  }

  private suppressAuthorizationFindings(): void {
    NagSuppressions.addResourceSuppressions(
      this.restApi,
      [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Handlers authenticate `Token`/`Bearer` API keys against hashed keys in DynamoDB and answer DataRobot-shaped 401s.',
        },
        { id: 'AwsSolutions-COG4', reason: 'Batchline authenticates with API keys, not Cognito user pools.' },
        {
          id: 'AwsSolutions-APIG3',
          reason:
            "Every request needs an API key and the stage is throttled; a WAF web ACL is the operator's option, not a default.",
        },
        {
          id: 'AwsSolutions-APIG2',
          reason:
            'Bodies are validated by the zod schemas in the handlers, which answer 422 naming the fields.',
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(
      this.restApi,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason: 'API Gateway account role for CloudWatch logging uses the AWS-managed push-to-logs policy.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
          ],
        },
      ],
      true,
    );
  }
}

/** The resource for a path below `base` (`/a/{id}/b`), created as needed. */
function resourceAt(base: apigw.IResource, path: string): apigw.IResource {
  return path
    .split('/')
    .filter((part) => part.length > 0)
    .reduce<apigw.IResource>(
      (resource, part) => resource.getResource(part) ?? resource.addResource(part),
      base,
    );
}

function lastPathPart(resource: apigw.Resource): string {
  return resource.path.split('/').at(-1) ?? '';
}

function isResource(construct: unknown): construct is apigw.Resource {
  return construct instanceof apigw.Resource;
}

/**
 * Sends `resource` and everything below it to `integration`, except resources that already have a method (a
 * streaming route). A resource gets a greedy `{proxy+}` unless a path variable already sits below it, since
 * API Gateway allows one variable child per resource.
 */
function routeSubtree(resource: apigw.IResource, integration: apigw.Integration): void {
  const children = resource.node.children.filter(isResource);
  const hasMethod = resource.node.children.some((child) => child instanceof apigw.Method);
  if (!hasMethod) resource.addMethod('ANY', integration);
  for (const child of children) routeSubtree(child, integration);
  if (!children.some((child) => lastPathPart(child).startsWith('{'))) {
    resource.addResource('{proxy+}').addMethod('ANY', integration);
  }
}
