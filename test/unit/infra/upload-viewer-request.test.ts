import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { uploadSignature } from '../../../shared/use-cases/jobs/upload-url.js';
import {
  type CloudFrontEvent,
  fakeKeyValueStore,
  loadCloudFrontFunction,
} from './cloudfront-function-harness.js';

const FUNCTION_FILE = fileURLToPath(
  new URL('../../../infra/data-plane/upload-viewer-request.js', import.meta.url),
);
const SECRET = 'test-upload-secret-0123456789abcdef';
const JOB_ID = '0123456789abcdef01234567';
const NOW = new Date('2030-01-01T00:00:00Z');
const EXPIRES = Math.floor(NOW.getTime() / 1000) + 3600;

function uploadPath(expires = EXPIRES, signature = uploadSignature(SECRET, JOB_ID, expires)): string {
  return `/upload/${JOB_ID}/${expires}/${signature}/`;
}

function viewerRequest(method: string, uri: string): CloudFrontEvent {
  return {
    request: {
      method,
      uri,
      querystring: { acl: { value: '' } },
      headers: { authorization: { value: 'Token client-api-key' }, 'content-type': { value: 'text/csv' } },
    },
  };
}

const handler = loadCloudFrontFunction(FUNCTION_FILE, {
  cloudfront: fakeKeyValueStore({ uploadSecret: SECRET }),
});

describe('upload viewer-request function', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a signed single PUT to the first input object, without the Authorization header', async () => {
    const result = await handler(viewerRequest('PUT', uploadPath()));
    expect(result).toEqual({
      method: 'PUT',
      uri: `/jobs/${JOB_ID}/input/000000`,
      querystring: {},
      headers: { 'content-type': { value: 'text/csv' }, 'if-none-match': { value: '*' } },
    });
  });

  it('sends a multipart part to its own zero-padded input object', async () => {
    const result = (await handler(
      viewerRequest('PUT', `${uploadPath()}part/12`),
    )) as CloudFrontEvent['request'];
    expect(result.uri).toBe(`/jobs/${JOB_ID}/input/000012`);
    expect(result.headers['if-none-match']).toEqual({ value: '*' });
    expect(result.headers.authorization).toBeUndefined();
  });

  it('sends finalizeMultipart to the API route, keeping the caller Authorization for the API to check', async () => {
    const result = (await handler(
      viewerRequest('POST', `${uploadPath()}finalizeMultipart`),
    )) as CloudFrontEvent['request'];
    expect(result.uri).toBe(`/api/v2/batchPredictions/${JOB_ID}/csvUpload/finalizeMultipart`);
    expect(result.headers.authorization).toEqual({ value: 'Token client-api-key' });
    expect(result.querystring).toEqual({});
  });

  it('refuses an expired URL with 403, even when correctly signed', async () => {
    const expired = Math.floor(NOW.getTime() / 1000) - 1;
    const result = await handler(viewerRequest('PUT', uploadPath(expired)));
    expect(result).toMatchObject({ statusCode: 403, body: { data: '{"message":"Upload URL expired"}' } });
  });

  it('refuses a signature made with another secret, or for another expiry, with 403', async () => {
    const forged = uploadPath(EXPIRES, uploadSignature('another-secret', JOB_ID, EXPIRES));
    const extended = uploadPath(EXPIRES + 86_400, uploadSignature(SECRET, JOB_ID, EXPIRES));
    for (const uri of [forged, extended]) {
      const result = await handler(viewerRequest('PUT', uri));
      expect(result).toMatchObject({
        statusCode: 403,
        body: { data: '{"message":"Invalid upload URL signature"}' },
      });
    }
  });

  it.each([
    ['/jobs/0123456789abcdef01234567/input/000000'],
    [`/upload/${JOB_ID}/`],
    [`/upload/${JOB_ID.toUpperCase()}/${EXPIRES}/${uploadSignature(SECRET, JOB_ID, EXPIRES)}/`],
    [`${uploadPath()}part/`],
    [`${uploadPath()}part/1234567`],
    [`${uploadPath()}part/-1`],
    [`${uploadPath()}../../other`],
    [uploadPath().slice(0, -1)],
  ])('answers 404 for a path outside the scheme: %s', async (uri) => {
    const result = await handler(viewerRequest('PUT', uri));
    expect(result).toMatchObject({
      statusCode: 404,
      headers: { 'content-type': { value: 'application/json' } },
    });
  });

  it('answers 405 to the wrong method for the URL', async () => {
    expect(await handler(viewerRequest('GET', uploadPath()))).toMatchObject({ statusCode: 405 });
    expect(await handler(viewerRequest('DELETE', `${uploadPath()}part/0`))).toMatchObject({
      statusCode: 405,
    });
    expect(await handler(viewerRequest('PUT', `${uploadPath()}finalizeMultipart`))).toMatchObject({
      statusCode: 405,
    });
  });

  it('fits CloudFront Functions 10 KB code limit', () => {
    expect(statSync(FUNCTION_FILE).size).toBeLessThan(10 * 1024);
  });

  it('answers 503 when the key value store holds no signing key yet', async () => {
    const unconfigured = loadCloudFrontFunction(FUNCTION_FILE, { cloudfront: fakeKeyValueStore({}) });
    expect(await unconfigured(viewerRequest('PUT', uploadPath()))).toMatchObject({ statusCode: 503 });
  });
});
