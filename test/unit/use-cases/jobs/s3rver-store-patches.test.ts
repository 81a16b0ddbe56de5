import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { patchS3rverStore, S3RVER_READ_BYTES } from '../../../../local/s3rver-store-patches.js';
import { ensureBucket } from '../../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../../shared/adapters/s3/s3-object-store.js';
import { ObjectNotFoundError } from '../../../../shared/ports/object-store.js';
import { readObject } from '../../../../shared/use-cases/jobs/object-bytes.js';
import { useEmulators } from '../../../support/emulators.js';

// The emulators' s3rver runs (patched) in a thread of its own; the last test uses a store in this thread.
const emulators = useEmulators();

describe('s3rver with atomic puts and large reads', () => {
  it('never serves an object that is still being written: a reader polling for it gets all of it', async () => {
    await ensureBucket(emulators.s3, 'atomic-test');
    const objects = new S3ObjectStore(emulators.s3, 'atomic-test');
    const body = Buffer.alloc(48 << 20, 0x61);
    for (let round = 0; round < 3; round++) {
      const key = `big-${round}`;
      const writing = objects.put(key, body);
      let seen: Buffer | null = null;
      while (seen === null) {
        try {
          seen = await readObject(objects, key);
        } catch (error) {
          if (!(error instanceof ObjectNotFoundError)) throw error;
        }
      }
      await writing;
      expect(seen.length).toBe(body.length);
    }
  });

  it('serves whole and ranged objects byte for byte over the S3 API', async () => {
    await ensureBucket(emulators.s3, 'reads-test');
    const objects = new S3ObjectStore(emulators.s3, 'reads-test');
    const body = randomBytes(3 * S3RVER_READ_BYTES + 12_345);
    await objects.put('object', body);
    expect((await readObject(objects, 'object')).equals(body)).toBe(true);
    const range = { start: S3RVER_READ_BYTES - 7, end: 2 * S3RVER_READ_BYTES + 99 };
    expect((await readObject(objects, 'object', range)).equals(body.subarray(range.start, range.end))).toBe(
      true,
    );
    await expect(readObject(objects, 'missing')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('reads an object file in large pieces, and answers null for a missing one as s3rver does', async () => {
    patchS3rverStore();
    const dir = await mkdtemp(join(tmpdir(), 'batchline-s3rver-store-'));
    try {
      const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem');
      const store = new FilesystemStore(dir);
      await store.putBucket('bucket');
      const body = randomBytes(S3RVER_READ_BYTES + 10);
      await store.putObject({ bucket: 'bucket', key: 'k', metadata: {}, content: body });
      const object = await store.getObject('bucket', 'k', { start: 5, end: body.length - 1 });
      const content = object.content as Readable;
      expect(content.readableHighWaterMark).toBe(S3RVER_READ_BYTES);
      const pieces: Buffer[] = [];
      for await (const piece of content) pieces.push(piece as Buffer);
      expect(pieces[0]?.length).toBe(S3RVER_READ_BYTES);
      expect(Buffer.concat(pieces).equals(body.subarray(5))).toBe(true);
      expect(await store.getObject('bucket', 'absent')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
