import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBucket } from '../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { ObjectNotFoundError } from '../../../shared/ports/object-store.js';
import { useEmulators } from '../../support/emulators.js';

const emulators = useEmulators();
const BUCKET = 'batchline-test';
const MB = 1024 * 1024;
let store: S3ObjectStore;

beforeAll(async () => {
  await ensureBucket(emulators.s3, BUCKET);
  store = new S3ObjectStore(emulators.s3, BUCKET);
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Deterministic, non-repeating-looking bytes, so a misplaced or duplicated block changes the digest. */
function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('S3ObjectStore on s3rver', () => {
  it('puts, gets, heads and deletes an object', async () => {
    await store.put('basic/a.csv', Buffer.from('a,b\n1,2\n'), { contentType: 'text/csv' });

    expect((await readAll(await store.get('basic/a.csv'))).toString()).toBe('a,b\n1,2\n');
    expect(await store.head('basic/a.csv')).toEqual({ size: 8 });

    await store.delete('basic/a.csv');
    expect(await store.head('basic/a.csv')).toBeNull();
    await expect(store.delete('basic/a.csv')).resolves.toBeUndefined();
  });

  it('reports a missing object as ObjectNotFoundError on get and null on head', async () => {
    await expect(store.get('missing/x')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.get('missing/x', { start: 0, end: 0 })).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.head('missing/x')).toBeNull();
  });

  it('reads byte ranges with an exclusive end, clamped to the object', async () => {
    await store.put('range/digits', Buffer.from('0123456789'));

    expect((await readAll(await store.get('range/digits', { start: 2, end: 5 }))).toString()).toBe('234');
    expect((await readAll(await store.get('range/digits', { start: 7, end: 100 }))).toString()).toBe('789');
    expect(await readAll(await store.get('range/digits', { start: 4, end: 4 }))).toHaveLength(0);
  });

  it('lists by prefix in key order and deletes a prefix without touching its neighbours', async () => {
    await Promise.all(
      ['jobs/1/parts/2', 'jobs/1/parts/1', 'jobs/1/input', 'jobs/10/input'].map((key) =>
        store.put(key, Buffer.from(key)),
      ),
    );

    const listed = await store.list('jobs/1/');
    expect(listed.map(({ key, size }) => ({ key, size }))).toEqual([
      { key: 'jobs/1/input', size: 12 },
      { key: 'jobs/1/parts/1', size: 14 },
      { key: 'jobs/1/parts/2', size: 14 },
    ]);
    expect(listed.every((o) => Math.abs(o.lastModified.getTime() - Date.now()) < 60_000)).toBe(true);

    await store.deletePrefix('jobs/1/');
    expect(await store.list('jobs/1/')).toEqual([]);
    expect((await store.list('jobs/10/')).map(({ key, size }) => ({ key, size }))).toEqual([
      { key: 'jobs/10/input', size: 13 },
    ]);
  });

  it('streams a 20 MB upload of unknown length intact', async () => {
    const blocks = Array.from({ length: 20 }, (_, i) => pattern(MB, i + 1));
    const expected = sha256(Buffer.concat(blocks));

    await store.put('stream/big', Readable.from(blocks));

    expect(await store.head('stream/big')).toEqual({ size: 20 * MB });
    expect(sha256(await readAll(await store.get('stream/big')))).toBe(expected);
  });

  it('assembles a three-part multipart upload in part order, whatever order parts arrive in', async () => {
    const parts = [pattern(5 * MB, 11), pattern(5 * MB, 12), pattern(1000, 13)] as const;
    const uploadId = await store.createMultipart('multi/out');

    const etag3 = await store.uploadPart('multi/out', uploadId, 3, parts[2]);
    const etag1 = await store.uploadPart('multi/out', uploadId, 1, parts[0]);
    const etag2 = await store.uploadPart('multi/out', uploadId, 2, {
      stream: Readable.from([parts[1]]),
      length: parts[1].length,
    });
    await store.completeMultipart('multi/out', uploadId, [
      { partNumber: 3, etag: etag3 },
      { partNumber: 1, etag: etag1 },
      { partNumber: 2, etag: etag2 },
    ]);

    const object = await readAll(await store.get('multi/out'));
    expect(object.length).toBe(10 * MB + 1000);
    expect(sha256(object)).toBe(sha256(Buffer.concat(parts)));
  });

  it('aborts a multipart upload, idempotently, leaving no object behind', async () => {
    const uploadId = await store.createMultipart('multi/aborted');
    await store.uploadPart('multi/aborted', uploadId, 1, pattern(1000, 21));

    await store.abortMultipart('multi/aborted', uploadId);
    await store.abortMultipart('multi/aborted', uploadId);

    expect(await store.head('multi/aborted')).toBeNull();
    expect(await store.list('multi/aborted')).toEqual([]);
  });

  it('presigns a GET that plain fetch can use and a PUT that plain fetch can write through', async () => {
    await store.put('presigned/get', Buffer.from('scored,rows\n'));

    const getUrl = await store.presignGet('presigned/get', 60);
    const response = await fetch(getUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('scored,rows\n');

    const putUrl = await store.presignPut('presigned/put', 60);
    const upload = await fetch(putUrl, { method: 'PUT', body: 'uploaded by url' });
    expect(upload.status).toBe(200);
    expect((await readAll(await store.get('presigned/put'))).toString()).toBe('uploaded by url');
  });
});
