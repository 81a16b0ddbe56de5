import { SingleBar } from 'cli-progress';

/** A progress reporter: a bar on a terminal, nothing otherwise (logs and pipes stay clean). */
export interface Progress {
  update(doneBytes: number, rows: number): void;
  stop(): void;
}

/** Creates a byte-based progress bar on stderr when it is a terminal and the total size is known. */
export function progressBar(
  totalBytes: number | null,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY || !totalBytes) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    stream,
    format: 'scoring |{bar}| {percentage}% | {rows} rows | {eta_formatted} left',
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(totalBytes, 0, { rows: 0 });
  return {
    update: (done, rows) => bar.update(Math.min(done, totalBytes), { rows }),
    stop: () => bar.stop(),
  };
}

/** The one-line summary printed after a run. */
export function summaryLine(s: {
  scoredRows: number;
  failedRows: number;
  skippedRows: number;
  seconds: number;
}): string {
  const rate = s.seconds > 0 ? Math.round((s.scoredRows + s.failedRows) / s.seconds) : 0;
  const skipped = s.skippedRows > 0 ? `, ${s.skippedRows} blank lines skipped` : '';
  return `scored ${s.scoredRows} rows, ${s.failedRows} failed${skipped} in ${s.seconds.toFixed(2)} s (${rate} rows/s)`;
}
