import { describe, expect, it } from 'vitest';
import { autoChunkBytes, MIN_AUTO_CHUNK_BYTES } from '../../../shared/domain/chunk-size.js';

const MiB = 1024 * 1024;
const chunksOf = (input: number, size: number) => Math.ceil(input / size);

describe('autoChunkBytes', () => {
  it('keeps to the maximum chunk size at numConcurrent 1', () => {
    expect(autoChunkBytes(175 * MiB, 1, 16 * MiB)).toBe(Math.ceil((175 * MiB) / 11));
    expect(autoChunkBytes(10 * MiB, 1, 16 * MiB)).toBe(10 * MiB);
  });

  it('rounds the chunk count up to a multiple of numConcurrent so no worker idles in the last round', () => {
    for (const nc of [2, 3, 4, 8]) {
      const size = autoChunkBytes(175 * MiB, nc, 16 * MiB);
      expect(size).toBeLessThanOrEqual(16 * MiB);
      expect(chunksOf(175 * MiB, size) % nc).toBe(0);
    }
  });

  it('splits a small input across the workers, but not below the minimum chunk size', () => {
    expect(chunksOf(2 * MiB, autoChunkBytes(2 * MiB, 2, 16 * MiB))).toBe(2);
    expect(autoChunkBytes(2 * MiB, 64, 16 * MiB)).toBeGreaterThanOrEqual(MIN_AUTO_CHUNK_BYTES);
    expect(autoChunkBytes(100, 4, 16 * MiB)).toBe(100);
  });

  it('never exceeds the maximum, whatever the input', () => {
    for (const input of [1, 1000, 300_000, 5 * MiB + 3, 1e9, 1e11]) {
      for (const nc of [1, 2, 5, 16]) {
        const size = autoChunkBytes(input, nc, 16 * MiB);
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThanOrEqual(16 * MiB);
      }
    }
  });
});
