/** One figure a benchmark prints: a measured value, and where the issue sets one, the target it is held to. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. ">= 500 MiB/s" or ">= 0.70x raw session.run". */
  target?: string;
  pass?: boolean;
  note?: string;
}

/** Times fn once and returns elapsed seconds (high-resolution clock). */
export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Best (shortest) time over `repeat` runs: on a noisy 2-core machine the minimum is the least disturbed figure. */
export async function bestOf(repeat: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) best = Math.min(best, await timeIt(fn));
  return best;
}

/** Formats results as an aligned table. */
export function formatResults(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    `${r.value.toFixed(r.value >= 100 ? 0 : 3)} ${r.unit}`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'ok' : 'MISS',
    r.note ?? '',
  ]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)));
  return rows
    .map((row) => row.map((cell, c) => (c < 4 ? cell.padEnd(widths[c] ?? 0) : cell)).join('  '))
    .join('\n');
}
