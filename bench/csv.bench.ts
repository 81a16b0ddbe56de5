/**
 * CSV layer benchmarks, on a numeric CSV generated in memory (20 columns; ~20 MB smoke, ~200 MB full) fed in
 * 64 KiB pieces:
 * - chunk planner MiB/s (target >= 500), against a same-run baseline that only counts `\n` with Buffer.indexOf;
 * - the planner on the same data written with every field quoted (pandas QUOTE_ALL), for context;
 * - recordBlocks + RecordTokenizer + NumberParser MiB/s (every field of every record parsed);
 * - CsvWriter MiB/s writing the parsed values back as CSV.
 */
import { pathToFileURL } from 'node:url';
import { CsvWriter } from '../shared/engine/csv/csv-writer.js';
import { type CsvDialect, resolveDialect } from '../shared/engine/csv/dialect.js';
import { NumberParser } from '../shared/engine/csv/parse-number.js';
import { planChunks, recordBlocks } from '../shared/engine/csv/record-blocks.js';
import { RecordTokenizer } from '../shared/engine/csv/record-tokenizer.js';
import { createRng } from '../test/support/onnx-factory.js';
import { type BenchResult, bestOf, formatResults } from './harness.js';

const COLUMNS = 20;
const MiB = 1 << 20;
const PIECE = 64 * 1024;
const PLANNER_TARGET_MIB_S = 500;

/** Uniform [0, 1) draws from the shared seeded PRNG, so a failure reproduces. */
const mulberry32 = (seed: number): (() => number) => createRng(seed).next;

/**
 * A numeric CSV of about `bytes`: per row a mix of integers, short decimals and full 17-digit doubles (float32
 * values printed as doubles, as exported ML data often has). Built with CsvWriter, so a quoting dialect can be
 * forced by passing `quoteAll`.
 */
function numericCsv(bytes: number, quoteAll: boolean): Buffer {
  const random = mulberry32(42);
  const dialect = resolveDialect();
  const writer = new CsvWriter(dialect, bytes + MiB);
  for (let c = 0; c < COLUMNS; c++) writer.text(`f${c}`);
  writer.endRecord();
  const cell = (c: number): string | number => {
    const x = random() * 2000 - 1000;
    if (c % 4 === 0) return Math.round(x);
    if (c % 4 === 3) return Math.fround(x / 1000);
    return Number(x.toFixed(3));
  };
  while (writer.length < bytes) {
    for (let c = 0; c < COLUMNS; c++) {
      const v = cell(c);
      if (quoteAll) writer.raw(Buffer.from(`"${v}"`), 0, String(v).length + 2);
      else writer.number(v as number);
    }
    writer.endRecord();
  }
  return writer.take();
}

function* pieces(buf: Buffer): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += PIECE) yield buf.subarray(i, i + PIECE);
}

async function* asyncPieces(buf: Buffer): AsyncGenerator<Buffer> {
  yield* pieces(buf);
}

function mibPerSecond(bytes: number, seconds: number): number {
  return bytes / MiB / seconds;
}

function countNewlines(buf: Buffer): number {
  let lines = 0;
  for (const piece of pieces(buf)) {
    for (let i = piece.indexOf(0x0a); i >= 0; i = piece.indexOf(0x0a, i + 1)) lines++;
  }
  return lines;
}

/** Tokenizes every record of the stream and parses every field as a number; returns the values' sum. */
async function tokenizeAndParse(buf: Buffer, dialect: CsvDialect): Promise<number> {
  const tokenizer = new RecordTokenizer(dialect);
  const parser = new NumberParser();
  let sum = 0;
  let header = true;
  for await (const block of recordBlocks(asyncPieces(buf), dialect)) {
    for (let pos = 0; pos < block.length; ) {
      pos = tokenizer.next(block, pos, block.length, true);
      if (header) {
        header = false;
        continue;
      }
      for (let f = 0; f < tokenizer.fieldCount; f++) {
        sum += parser.parse(block, tokenizer.starts[f] as number, tokenizer.ends[f] as number);
      }
    }
  }
  return sum;
}

function parseAll(buf: Buffer, dialect: CsvDialect): Float64Array {
  const tokenizer = new RecordTokenizer(dialect);
  const parser = new NumberParser();
  const values: number[] = [];
  let pos = tokenizer.next(buf, 0, buf.length, true); // header
  while (pos < buf.length) {
    pos = tokenizer.next(buf, pos, buf.length, true);
    for (let f = 0; f < tokenizer.fieldCount; f++) {
      values.push(parser.parse(buf, tokenizer.starts[f] as number, tokenizer.ends[f] as number));
    }
  }
  return Float64Array.from(values);
}

function writeAll(values: Float64Array, dialect: CsvDialect): number {
  const writer = new CsvWriter(dialect);
  let bytes = 0;
  for (let i = 0; i < values.length; i += COLUMNS) {
    for (let c = 0; c < COLUMNS; c++) writer.number(values[i + c] as number);
    writer.endRecord();
    if (writer.length >= MiB) bytes += writer.take().length;
  }
  return bytes + writer.take().length;
}

/** Runs the CSV benchmarks; `smoke` uses ~20 MB of data instead of ~200 MB. */
export async function run(opts: { smoke: boolean }): Promise<BenchResult[]> {
  const dialect = resolveDialect();
  const bytes = (opts.smoke ? 20 : 200) * MiB;
  const repeat = opts.smoke ? 2 : 3;
  const plain = numericCsv(bytes, false);
  const quoted = numericCsv(bytes, true);
  const size = plain.length;
  const target = 8 * MiB;

  let lines = 0;
  const baselineSeconds = await bestOf(repeat, () => {
    lines = countNewlines(plain);
  });
  let chunkCount = 0;
  const plannerSeconds = await bestOf(repeat, async () => {
    chunkCount = (await planChunks(asyncPieces(plain), dialect, target)).chunks.length;
  });
  const quotedSeconds = await bestOf(repeat, () => planChunks(asyncPieces(quoted), dialect, target));
  const tokenizeSeconds = await bestOf(repeat, () => tokenizeAndParse(plain, dialect));
  const values = parseAll(plain, dialect);
  let written = 0;
  const writerSeconds = await bestOf(repeat, () => {
    written = writeAll(values, dialect);
  });

  const baseline = mibPerSecond(size, baselineSeconds);
  const planner = mibPerSecond(size, plannerSeconds);
  const rows = `${lines - 1} rows x ${COLUMNS} cols, ${(size / MiB).toFixed(0)} MiB`;
  return [
    { name: 'csv: newline count (Buffer.indexOf) baseline', value: baseline, unit: 'MiB/s', note: rows },
    {
      name: 'csv: planChunks',
      value: planner,
      unit: 'MiB/s',
      target: `>= ${PLANNER_TARGET_MIB_S} MiB/s`,
      pass: planner >= PLANNER_TARGET_MIB_S,
      note: `${(planner / baseline).toFixed(2)}x baseline; ${chunkCount} chunks of 8 MiB`,
    },
    {
      name: 'csv: planChunks, every field quoted',
      value: mibPerSecond(quoted.length, quotedSeconds),
      unit: 'MiB/s',
      note: 'QUOTE_ALL input as pandas writes it (context)',
    },
    {
      name: 'csv: recordBlocks+tokenize+parseNumber',
      value: mibPerSecond(size, tokenizeSeconds),
      unit: 'MiB/s',
      note: `${((values.length / tokenizeSeconds) * 1e-6).toFixed(1)} M fields/s`,
    },
    {
      name: 'csv: CsvWriter numbers',
      value: mibPerSecond(written, writerSeconds),
      unit: 'MiB/s',
      note: `${((values.length / writerSeconds) * 1e-6).toFixed(1)} M fields/s`,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes('--smoke');
  process.stdout.write(`${formatResults(await run({ smoke }))}\n`);
}
