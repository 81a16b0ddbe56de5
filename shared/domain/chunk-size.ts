/**
 * How big a job's chunks are when its spec leaves `chunkSize` to us ("auto", "fixed", "dynamic"). Chunks are
 * scored `numConcurrent` at a time, so a count that is not a multiple of it leaves workers idle in the last round
 * (11 chunks on 2 workers take 6 rounds, 12 take 6 too but each is smaller). The count is therefore rounded up to
 * a multiple of numConcurrent, and chunks are made equal within that count.
 */

/** Below this, a chunk costs more in orchestration (a Map item, a worker hand-off, two S3 calls) than it scores. */
export const MIN_AUTO_CHUNK_BYTES = 256 * 1024;

/**
 * The target chunk size for `inputBytes` of input scored `numConcurrent` chunks at a time: at most
 * `maxChunkBytes`, and at least {@link MIN_AUTO_CHUNK_BYTES} unless the whole input is smaller.
 */
export function autoChunkBytes(inputBytes: number, numConcurrent: number, maxChunkBytes: number): number {
  if (inputBytes <= MIN_AUTO_CHUNK_BYTES) return Math.max(1, Math.min(maxChunkBytes, inputBytes));
  const fewest = Math.ceil(inputBytes / maxChunkBytes);
  const most = Math.max(fewest, Math.floor(inputBytes / MIN_AUTO_CHUNK_BYTES));
  const wanted = Math.ceil(Math.max(fewest, numConcurrent) / numConcurrent) * numConcurrent;
  return Math.ceil(inputBytes / Math.min(wanted, most));
}
