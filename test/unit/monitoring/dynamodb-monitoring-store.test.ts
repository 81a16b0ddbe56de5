import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMonitoringStore } from '../../../shared/adapters/dynamodb/dynamodb-monitoring-store.js';
import { createTables } from '../../../shared/adapters/dynamodb/tables.js';
import {
  emptyBucket,
  type MonitoringBucket,
  mergeBuckets,
} from '../../../shared/domain/monitoring/bucket.js';
import { defaultMonitoringSettings } from '../../../shared/domain/monitoring/settings.js';
import { useEmulators } from '../../support/emulators.js';

const emulators = useEmulators();
let store: DynamoDbMonitoringStore;

beforeAll(async () => {
  await createTables(emulators.dynamo, { jobs: 'batchline-jobs-mon', resources: 'batchline-resources-mon' });
  store = new DynamoDbMonitoringStore(emulators.dynamo, 'batchline-resources-mon');
});

const hour = (h: number): string => new Date(Date.UTC(2025, 0, 1, h)).toISOString();

function rows(h: number, n: number, modelId = 'm1'): MonitoringBucket {
  return { ...emptyBucket(hour(h), modelId), rows: n, features: { x: { counts: [n, 0], ySums: [n, 0] } } };
}

describe('the DynamoDB monitoring store', () => {
  it('adds each change once, merges concurrent changes and answers hour ranges', async () => {
    const deployment = randomUUID();
    expect(await store.addToBucket(deployment, 'job:1', rows(1, 10))).toBe(true);
    expect(await store.addToBucket(deployment, 'job:1', rows(1, 10))).toBe(false);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.addToBucket(deployment, `job:c${i}`, rows(1, 1))),
    );
    await store.addToBucket(deployment, 'job:2', rows(2, 5));
    await store.addToBucket(deployment, 'job:2', rows(2, 7, 'm2'));
    await store.addToBucket(deployment, 'job:3', rows(5, 3));
    const all = await store.buckets(deployment, hour(0), hour(24));
    expect(all.map((b) => [b.hour, b.modelId, b.rows])).toEqual([
      [hour(1), 'm1', 18],
      [hour(2), 'm1', 5],
      [hour(2), 'm2', 7],
      [hour(5), 'm1', 3],
    ]);
    expect(all[0]?.features.x?.counts).toEqual([18, 0]);
    // [from, to): the bucket of hour `to` is not included, the one of hour `from` is.
    expect((await store.buckets(deployment, hour(2), hour(5))).map((b) => b.rows)).toEqual([5, 7]);
    expect(await store.buckets(randomUUID(), hour(0), hour(24))).toEqual([]);
  });

  it('answers a year of daily jobs from 365 bucket items', async () => {
    const deployment = randomUUID();
    const features = Object.fromEntries(
      Array.from({ length: 20 }, (_, f) => [
        `f${f}`,
        { counts: new Array(12).fill(1), ySums: new Array(12).fill(0.5) },
      ]),
    );
    const day = (d: number) => new Date(Date.UTC(2025, 0, 1 + d, 3)).toISOString();
    for (let d = 0; d < 365; d += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, 365 - d) }, (_, i) =>
          store.addToBucket(deployment, `job:${d + i}`, {
            ...emptyBucket(day(d + i), 'm1'),
            jobs: 1,
            rows: 100,
            features,
          }),
        ),
      );
    }
    const started = performance.now();
    const year = await store.buckets(deployment, day(-1), day(366));
    const total = year.reduce(mergeBuckets);
    const ms = performance.now() - started;
    expect(year).toHaveLength(365);
    expect(total).toMatchObject({ jobs: 365, rows: 36_500 });
    expect(total.features.f7?.counts[3]).toBe(365);
    expect(ms).toBeLessThan(5_000); // dynalite on a loaded machine; one paged Query of ~2 MB
  }, 60_000);

  it('keeps settings per deployment', async () => {
    const deployment = randomUUID();
    expect(await store.getSettings(deployment)).toBeNull();
    const settings = {
      ...defaultMonitoringSettings(),
      associationId: { columnNames: ['id'], requiredInPredictionRequests: true },
    };
    await store.putSettings(deployment, settings);
    expect(await store.getSettings(deployment)).toEqual(settings);
    expect(await store.getSettings(randomUUID())).toBeNull();
  });
});
