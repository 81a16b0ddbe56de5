import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeChurnFiles } from '../../support/cli-fixtures.js';
import { cells } from '../../support/scoring.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Runs the `batchline` command from source, as `npx batchline` runs its built twin. */
function batchline(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/batchline.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('batchline score (local)', () => {
  let dir: string;
  /** `batchline score` of the fixture model and input into `out`, with extra flags. */
  const scoreLocal = (out: string, flags: string[]) =>
    batchline(['score', '--model', join(dir, 'm.onnx'), '--in', join(dir, 'in.csv'), '--out', out, ...flags]);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'batchline-cli-'));
    writeChurnFiles(dir);
  });

  it('scores a file with the manifest beside the model and job-spec flags, printing a summary', () => {
    const out = join(dir, 'out.csv');
    const run = scoreLocal(out, [
      '--delimiter',
      ';',
      '--passthrough-columns',
      'id',
      '--include-prediction-status',
      '--no-abort-on-error',
    ]);
    expect(run.stderr).toMatch(/^scored 2 rows, 1 failed in [\d.]+ s \(\d+ rows\/s\)$/m);
    expect(run.status).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(';'));
    expect(rows[0]).toEqual([
      'id',
      'churn_yes_PREDICTION',
      'churn_no_PREDICTION',
      'churn_PREDICTION',
      'THRESHOLD',
      'POSITIVE_CLASS',
      'prediction_status',
    ]);
    expect(rows[1]?.[3]).toBe('yes');
    expect(rows[2]?.[3]).toBe('no');
    expect(rows[3]?.at(-1)).toBe('"column ""a"": ""x"" is not a number"');
  });

  it('fails with the reason and leaves no partial output when a row fails and abortOnError is on', () => {
    const out = join(dir, 'aborted.csv');
    const run = scoreLocal(out, ['--delimiter', ';']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('row 3: column "a": "x" is not a number');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('names the failing job-spec field', () => {
    const run = scoreLocal(join(dir, 'x.csv'), ['--delimiter', ';;']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('csvSettings.delimiter');
  });

  it('explains usage errors and a missing input file', () => {
    expect(batchline(['score', '--model', 'm.onnx']).stderr).toContain('score needs --model, --in and --out');
    const missing = batchline([
      'score',
      '--model',
      join(dir, 'm.onnx'),
      '--in',
      join(dir, 'nope.csv'),
      '--out',
      join(dir, 'y.csv'),
    ]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT.*nope\.csv/);
    expect(cells(batchline(['help']).stdout)[0]?.[0]).toBe('usage:');
  });
});
