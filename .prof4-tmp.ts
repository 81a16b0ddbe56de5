import { CsvWriter } from './shared/engine/csv/csv-writer.js';
import { resolveDialect } from './shared/engine/csv/dialect.js';
const d = resolveDialect();
let s = 42; const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
const N = 2_000_000;
const arr: number[] = []; for (let i = 0; i < N; i++) { const x = rnd()*2000-1000; const c = i % 20; arr.push(c%4===0? Math.round(x) : c%4===3 ? Math.fround(x/1000) : Number(x.toFixed(3))); }
const f64 = Float64Array.from(arr);
function writeAll(values: ArrayLike<number>): number {
  const writer = new CsvWriter(d); let bytes = 0;
  for (let i = 0; i < values.length; i += 20) { for (let c = 0; c < 20; c++) writer.number(values[i + c] as number); writer.endRecord(); if (writer.length >= 1 << 20) bytes += writer.take().length; }
  return bytes + writer.take().length;
}
for (const [name, v] of [['array', arr], ['f64', f64], ['array', arr], ['f64', f64]] as const) {
  const t0 = performance.now(); const b = writeAll(v); const sec = (performance.now() - t0) / 1000;
  console.log(name, (b / 1048576 / sec).toFixed(0), 'MiB/s', (N / sec / 1e6).toFixed(1), 'M/s');
}
const t0 = performance.now(); let L = 0; for (let i = 0; i < N; i++) L += String(f64[i]!).length; console.log('String only', ((performance.now() - t0) * 1e6 / N).toFixed(1), 'ns');
