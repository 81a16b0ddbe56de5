import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import { asciiJson } from '../../../shared/http/api-response.js';
import { errorResponse, HttpError } from '../../../shared/http/http-errors.js';
import { pathMatcher } from '../../../shared/http/router.js';
import {
  checkUploadUrl,
  signedUploadUrl,
  uploadSignature,
} from '../../../shared/use-cases/jobs/upload-url.js';

const config = {
  uploadSecret: 's3cret',
  dataPlaneUrl: 'https://plane',
  uploadUrlSeconds: 60,
  chunkBytes: 1,
  retentionHours: 48,
};

describe('HTTP layer pieces', () => {
  it('escapes every non-ASCII character in JSON bodies (the DataRobot client decodes errors as ASCII)', () => {
    const text = asciiJson({ message: 'Zürich — 東京' });
    expect([...text].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    expect(JSON.parse(text)).toEqual({ message: 'Zürich — 東京' });
  });

  it('maps domain errors to DataRobot-shaped 4xx and hides unexpected ones behind a bare 500', () => {
    const invalid = errorResponse(
      new ValidationError([{ field: 'numConcurrent', message: 'expected a number' }]),
    );
    expect(invalid.response.statusCode).toBe(422);
    expect(JSON.parse(invalid.response.body as string)).toEqual({
      message: 'numConcurrent: expected a number',
      errors: { numConcurrent: 'expected a number' },
    });
    expect(errorResponse(new HttpError(401, 'no key')).response.statusCode).toBe(401);
    const bug = errorResponse(new TypeError('x is undefined at line 3'));
    expect(bug.unexpected).toBe(true);
    expect(bug.response.body).toBe('{"message":"Internal server error"}');
    expect(bug.response.headers?.['Content-Type']).toBe('application/json');
  });

  it('matches path patterns and decodes parameters', () => {
    const match = pathMatcher('/batchPredictions/{id}');
    expect(match('/batchPredictions/abc%20d')).toEqual({ id: 'abc d' });
    expect(match('/batchPredictions/abc/download')).toBeNull();
  });

  it('signs upload URLs per job with an expiry, and refuses tampering', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const url = signedUploadUrl(config, 'job1', now);
    const [, , jobId, expires, signature] = new URL(url).pathname.split('/');
    expect(url.endsWith('/')).toBe(true);
    expect(checkUploadUrl('s3cret', jobId as string, expires as string, signature as string, now)).toBe('ok');
    expect(checkUploadUrl('s3cret', 'job2', expires as string, signature as string, now)).toBe(
      'bad-signature',
    );
    expect(checkUploadUrl('other', jobId as string, expires as string, signature as string, now)).toBe(
      'bad-signature',
    );
    const later = new Date(now.getTime() + 61_000);
    expect(checkUploadUrl('s3cret', jobId as string, expires as string, signature as string, later)).toBe(
      'expired',
    );
    expect(signature).toBe(uploadSignature('s3cret', 'job1', Number(expires)));
  });
});
