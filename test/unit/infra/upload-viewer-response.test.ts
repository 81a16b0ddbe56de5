import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CloudFrontEvent, loadCloudFrontFunction } from './cloudfront-function-harness.js';

const FUNCTION_FILE = fileURLToPath(
  new URL('../../../infra/data-plane/upload-viewer-response.js', import.meta.url),
);
const handler = loadCloudFrontFunction(FUNCTION_FILE);

function viewerResponse(method: string, statusCode: number): CloudFrontEvent {
  return {
    request: { method, uri: '/jobs/0123456789abcdef01234567/input/000000', querystring: {}, headers: {} },
    response: { statusCode, statusDescription: 'from S3', headers: {} },
  };
}

describe('upload viewer-response function', () => {
  it('turns S3 200 for a stored PUT into the 202 DataRobot clients expect', () => {
    expect(handler(viewerResponse('PUT', 200))).toMatchObject({
      statusCode: 202,
      statusDescription: 'Accepted',
    });
  });

  it('turns the 412 of a refused overwrite into the contract 409', () => {
    expect(handler(viewerResponse('PUT', 412))).toMatchObject({
      statusCode: 409,
      statusDescription: 'Conflict',
    });
  });

  it('passes other answers through unchanged', () => {
    expect(handler(viewerResponse('PUT', 403))).toMatchObject({
      statusCode: 403,
      statusDescription: 'from S3',
    });
    expect(handler(viewerResponse('POST', 200))).toMatchObject({ statusCode: 200 });
  });
});
