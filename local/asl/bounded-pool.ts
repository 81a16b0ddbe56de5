/**
 * Runs `count` jobs with at most `limit` in flight, starting them in index order. Once `shouldStop()` turns true no
 * further job starts; the returned promise resolves when every started job has settled. Jobs must not reject: the
 * caller records their failures itself.
 */
export async function runBounded(
  count: number,
  limit: number,
  job: (index: number) => Promise<void>,
  shouldStop: () => boolean,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && !shouldStop()) {
      const index = next;
      next += 1;
      await job(index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker);
  await Promise.all(workers);
}
