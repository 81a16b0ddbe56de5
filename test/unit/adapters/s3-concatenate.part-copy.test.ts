import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';

const MiB = 1024 * 1024;

describe('S3ObjectStore.concatenate on AWS (UploadPartCopy, which s3rver lacks: mocked)', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it('copies each large part inside S3 and completes the upload with the parts in order', async () => {
    const sizes: Record<string, number> = { h: 10, p0: 8 * MiB, p1: 8 * MiB, p2: 8 * MiB };
    s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => ({ ContentLength: sizes[input.Key] }));
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
      Body: Readable.from([Buffer.alloc(sizes[input.Key] ?? 0, 1)]),
    }));
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    let streamed = 0;
    s3.on(UploadPartCommand).callsFake(async (input: { Body: AsyncIterable<Uint8Array> }) => {
      for await (const piece of input.Body) streamed += piece.length;
      return { ETag: '"streamed"' };
    });
    s3.on(UploadPartCopyCommand).callsFake((input: { PartNumber: number }) => ({
      CopyPartResult: { ETag: `"copy${input.PartNumber}"` },
    }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const store = new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'bucket');

    const size = await store.concatenate('jobs/j/output', ['h', 'p0', 'p1', 'p2']);

    expect(size).toBe(10 + 24 * MiB);
    const copies = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(copies.map((c) => [c.PartNumber, c.CopySource, c.CopySourceRange])).toEqual([
      [2, 'bucket/p1', `bytes=0-${8 * MiB - 1}`],
      [3, 'bucket/p2', `bytes=0-${8 * MiB - 1}`],
    ]);
    expect(streamed).toBe(10 + 8 * MiB);
    expect(s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input)).toMatchObject([
      { PartNumber: 1, ContentLength: 10 + 8 * MiB },
    ]);
    const complete = s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input;
    expect(complete?.MultipartUpload?.Parts).toEqual([
      { PartNumber: 1, ETag: '"streamed"' },
      { PartNumber: 2, ETag: '"copy2"' },
      { PartNumber: 3, ETag: '"copy3"' },
    ]);
  });
});
