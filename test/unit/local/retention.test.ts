import { describe, expect, it } from 'vitest';
import { expireJobData } from '../../../local/retention.js';
import { ensureBucket } from '../../../shared/adapters/s3/s3-client.js';
import { S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { useEmulators } from '../../support/emulators.js';

describe('local retention of job data', () => {
  const emulators = useEmulators();

  it('deletes job objects and dropped objects older than the retention period and keeps newer ones and models', async () => {
    const client = emulators.s3;
    await ensureBucket(client, 'retention');
    const store = new S3ObjectStore(client, 'retention');
    await store.put('jobs/a/input/000000', Buffer.from('x'));
    await store.put('drops/admin/incoming/day1.csv', Buffer.from('z'));
    await store.put('models/m/model.onnx', Buffer.from('y'));
    expect(await expireJobData(store, 48, new Date(Date.now() + 47 * 3600 * 1000))).toBe(0);
    expect(await expireJobData(store, 48, new Date(Date.now() + 49 * 3600 * 1000))).toBe(2);
    expect(await store.head('jobs/a/input/000000')).toBeNull();
    expect(await store.head('drops/admin/incoming/day1.csv')).toBeNull();
    expect(await store.head('models/m/model.onnx')).not.toBeNull();
  });
});
