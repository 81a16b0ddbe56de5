/**
 * Runs every benchmark and prints its figures. `--smoke` uses small inputs so CI can check the benchmarks still
 * run; figures from a smoke run are indicative only. Targets are ratios or rates measured in this same run.
 */
import { run as runCsv } from './csv.bench.js';
import { run as runEngine } from './engine.bench.js';
import { run as runExplain } from './explain.js';
import { type BenchResult, formatResults } from './harness.js';
import { run as runMonitoring } from './monitoring.js';
import { run as runOrchestration } from './orchestration.bench.js';
import { run as runParquet } from './parquet.js';

const smoke = process.argv.includes('--smoke');
const results: BenchResult[] = [];
for (const [name, bench] of [
  ['csv', runCsv],
  ['engine', runEngine],
  ['explain', runExplain],
  ['monitoring', runMonitoring],
  ['orchestration', runOrchestration],
  ['parquet', runParquet],
] as const) {
  process.stderr.write(`running ${name} benchmarks${smoke ? ' (smoke)' : ''}...\n`);
  results.push(...(await bench({ smoke })));
}
process.stdout.write(`${formatResults(results)}\n`);
const missed = results.filter((r) => r.pass === false);
process.stdout.write(
  missed.length === 0
    ? 'all targets met\n'
    : `targets missed: ${missed.map((r) => r.name).join(', ')}${smoke ? ' (smoke sizes: indicative only)' : ''}\n`,
);
