import { describe, expect, it } from 'vitest';
import { makeS3rverPutsAtomic } from '../../../../local/s3rver-atomic-put.js';
import { ensureBucket } from '../../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../../shared/adapters/s3/s3-object-store.js';
import { ObjectNotFoundError } from '../../../../shared/ports/object-store.js';
import { readObject } from '../../../../shared/use-cases/jobs/object-bytes.js';
import { useEmulators } from '../../../support/emulators.js';

makeS3rverPutsAtomic();
const emulators = useEmulators();

describe('s3rver with atomic puts', () => {
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
});
