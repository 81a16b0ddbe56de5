import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { DropEvent } from '../../../functions/s3-drop.js';
import { startEmulators } from '../../../local/emulators.js';
import { S3DropListener } from '../../../local/s3-drop-listener.js';
import { localS3ClientConfig } from '../../../shared/adapters/s3/s3-client.js';

describe('the embedded stack’s S3-drop listener', () => {
  it('hands every one of a burst of 1,000 drops to the handler exactly once, retrying failures, ignoring other keys', async () => {
    const handled = new Map<string, number>();
    const attempts = new Map<string, number>();
    const listener = new S3DropListener({
      handle: async (event: DropEvent) => {
        const key = event.detail.object.key;
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        // Every seventh drop fails its first attempt, as a throttled store would.
        if (attempt === 1 && Number(/(\d+)\.csv$/.exec(key)?.[1]) % 7 === 0) throw new Error('throttled');
        expect(event).toMatchObject({ source: 'aws.s3', 'detail-type': 'Object Created' });
        expect(event.detail.object.etag).toEqual(expect.any(String));
        handled.set(key, (handled.get(key) ?? 0) + 1);
      },
      onError: (error) => {
        throw error;
      },
      retryDelayMs: 1,
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'batchline-drops-'));
    const emulators = await startEmulators({ dataDir, onS3Event: listener.accept });
    const s3 = new S3Client(localS3ClientConfig(emulators.s3Endpoint));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'batchline' }));
      const keys = Array.from({ length: 1000 }, (_, i) => `drops/admin/burst/${i}.csv`);
      const put = (Key: string) =>
        s3.send(new PutObjectCommand({ Bucket: 'batchline', Key, Body: 'a,b\n1,2\n' }));
      await put('jobs/0123456789abcdef01234567/input/000000');
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map(put));
      await listener.idle();
      expect([...handled.keys()].sort()).toEqual([...keys].sort());
      expect([...handled.values()].every((count) => count === 1)).toBe(true);
      expect(attempts.get('drops/admin/burst/7.csv')).toBe(2);
    } finally {
      await listener.stop();
      s3.destroy();
      await emulators.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
