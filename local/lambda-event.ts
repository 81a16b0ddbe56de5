import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** Builds the API Gateway (REST, proxy integration) event Lambda would receive for this request. */
export function toProxyEvent(req: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    queryStringParameters[k] = v;
    multiValueQueryStringParameters[k] = [...(multiValueQueryStringParameters[k] ?? []), v];
  }
  const hasQuery = url.searchParams.size > 0;
  const binary = /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
  return {
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    resource: '/{proxy+}',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: null,
    stageVariables: null,
    // As API Gateway does for its binary media types: file uploads keep their bytes, base64-encoded.
    body: body.length > 0 ? body.toString(binary ? 'base64' : 'utf8') : null,
    isBase64Encoded: binary && body.length > 0,
    requestContext: {
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      stage: 'local',
      requestId: `local-${Date.now()}`,
      requestTimeEpoch: Date.now(),
      resourcePath: '/{proxy+}',
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/** A Lambda context for in-process invocation (API Gateway's 29 s integration limit as the remaining time). */
export function localContext(functionName: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `local-${Date.now()}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
