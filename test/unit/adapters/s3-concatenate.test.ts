import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBucket } from '../../../shared/adapters/s3/s3-client.js';
import { MIN_PART_BYTES, planConcatenation } from '../../../shared/adapters/s3/s3-concatenate.js';
import { S3ObjectStore } from '../../../shared/adapters/s3/s3-object-store.js';
import { ObjectNotFoundError } from '../../../shared/ports/object-store.js';
import { useEmulators } from '../../support/emulators.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('planConcatenation', () => {
  it('copies large objects server-side and streams the small header together with the first part', () => {
    const plan = planConcatenation([
      { key: 'h', size: 100 },
      { key: 'p0', size: 16 * MiB },
      { key: 'p1', size: 16 * MiB },
      { key: 'p2', size: 3 * MiB },
    ]);
    expect(plan).toEqual([
      {
        kind: 'stream',
        sources: [
          { key: 'h', size: 100 },
          { key: 'p0', size: 16 * MiB },
        ],
        size: 16 * MiB + 100,
      },
      { kind: 'copy', key: 'p1', start: 0, end: 16 * MiB },
      { kind: 'stream', sources: [{ key: 'p2', size: 3 * MiB }], size: 3 * MiB },
    ]);
  });

  it('groups runs of small objects into parts of at least 5 MiB; only the last part may be smaller', () => {
    const sources = Array.from({ length: 25 }, (_, i) => ({ key: `s${i}`, size: MiB }));
    const plan = planConcatenation(sources) ?? [];
    expect(plan.map((p) => p.kind)).toEqual(['stream', 'stream', 'stream', 'stream', 'stream']);
    for (const part of plan.slice(0, -1))
      expect((part as { size: number }).size).toBeGreaterThanOrEqual(MIN_PART_BYTES);
    expect(plan.flatMap((p) => (p.kind === 'stream' ? p.sources.map((s) => s.key) : []))).toEqual(
      sources.map((s) => s.key),
    );
  });

  it('splits an object over 5 GiB into equal copy ranges, none below the minimum part size', () => {
    const plan = planConcatenation([{ key: 'big', size: 5 * GiB + 1 }]) ?? [];
    expect(plan).toHaveLength(2);
    expect(plan.every((p) => p.kind === 'copy' && p.end - p.start >= MIN_PART_BYTES)).toBe(true);
    expect(plan.at(-1)).toMatchObject({ end: 5 * GiB + 1 });
  });

  it('gives up (the caller streams) when the parts would exceed S3 limits', () => {
    expect(
      planConcatenation(Array.from({ length: 10_001 }, (_, i) => ({ key: `${i}`, size: 6 * MiB }))),
    ).toBeNull();
  });
});

describe('S3ObjectStore.concatenate against s3rver (no UploadPartCopy: streamed)', () => {
  const emulators = useEmulators();
  let store: S3ObjectStore;
  beforeAll(async () => {
    await ensureBucket(emulators.s3, 'concat');
    store = new S3ObjectStore(emulators.s3, 'concat', { partCopy: false });
  });

  it('joins the objects in order, byte for byte, and returns the size', async () => {
    const pieces = [Buffer.from('a,b\n'), Buffer.alloc(6 * MiB, 120), Buffer.alloc(0), Buffer.from('1,2\n')];
    await Promise.all(pieces.map((p, i) => store.put(`in/${i}`, p)));
    const size = await store.concatenate(
      'out',
      pieces.map((_, i) => `in/${i}`),
    );
    expect(size).toBe(Buffer.concat(pieces).length);
    const joined: Buffer[] = [];
    for await (const piece of await store.get('out')) joined.push(Buffer.from(piece as Uint8Array));
    expect(Buffer.concat(joined).equals(Buffer.concat(pieces))).toBe(true);
  });

  it('names a missing source', async () => {
    await expect(store.concatenate('out2', ['in/0', 'missing'])).rejects.toBeInstanceOf(ObjectNotFoundError);
  });
});
