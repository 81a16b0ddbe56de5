/**
 * Parquet library choice, measured: the same file (id INT64, 8 DOUBLE features, a STRING label; SNAPPY, row
 * groups of 100k; 1M rows, 100k in a smoke run) converted both ways the job needs, per library:
 * - Parquet → CSV (intake): hyparquet through shared/engine/parquet/parquet-to-csv.ts (what ships), parquet-wasm
 *   (Rust arrow-rs in WebAssembly, then apache-arrow's JS vectors into the same CsvWriter), and DuckDB's native
 *   `COPY ... TO csv` (one thread, like the others);
 * - CSV → Parquet (output): hyparquet-writer through csv-to-parquet.ts (what ships), parquet-wasm (the CSV parsed
 *   into arrow columns, then written), DuckDB `COPY ... TO parquet`.
 * Rows/s and the ratio to the shipped path are printed. parquet-wasm and @duckdb/node-api are dev dependencies
 * used only here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import * as wasm from 'parquet-wasm/node';
import { CsvWriter } from '../shared/engine/csv/csv-writer.js';
import { resolveDialect } from '../shared/engine/csv/dialect.js';
import { recordBlocks } from '../shared/engine/csv/record-blocks.js';
import { fieldText, RecordTokenizer } from '../shared/engine/csv/record-tokenizer.js';
import { csvToParquet } from '../shared/engine/parquet/csv-to-parquet.js';
import { parquetToCsv } from '../shared/engine/parquet/parquet-to-csv.js';
import { createRng } from '../test/support/onnx-factory.js';
import { type BenchResult, bestOf, formatResults } from './harness.js';

const FEATURES = 8;
const ROW_GROUP = 100_000;
const LABELS = ['yes', 'no', 'maybe, later', 'say "hi"'];

interface Columns {
  readonly id: BigInt64Array;
  readonly features: Float64Array[];
  readonly label: string[];
}

function columns(rows: number): Columns {
  const rng = createRng(11);
  return {
    id: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i) * 1_000_003n),
    features: Array.from({ length: FEATURES }, () => Float64Array.from({ length: rows }, () => rng.normal())),
    label: Array.from({ length: rows }, () => LABELS[rng.int(LABELS.length)] as string),
  };
}

function hyparquetFile(data: Columns): Uint8Array {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: [
      { name: 'id', data: data.id, type: 'INT64', nullable: false },
      ...data.features.map((f, i) => ({ name: `f${i}`, data: f, type: 'DOUBLE' as const, nullable: false })),
      { name: 'label', data: data.label, type: 'STRING' },
    ],
    rowGroupSize: ROW_GROUP,
  });
  return writer.getBytes();
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of chunks) bytes += chunk.length;
  return bytes;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** parquet-wasm: decode to Arrow, then the same CSV writer the shipped path uses. */
function wasmToCsv(file: Uint8Array): number {
  const table = tableFromIPC(wasm.readParquet(file).intoIPCStream());
  const writer = new CsvWriter(resolveDialect());
  const names = table.schema.fields.map((f) => f.name);
  for (const name of names) writer.text(name);
  writer.endRecord();
  let bytes = 0;
  for (const batch of table.batches) {
    const cols = names.map((n) => batch.getChild(n)?.toArray() as ArrayLike<unknown>);
    for (let r = 0; r < batch.numRows; r++) {
      for (const col of cols) {
        const v = col[r];
        if (typeof v === 'number') writer.number(v);
        else if (typeof v === 'bigint') writer.text(v.toString());
        else writer.text(String(v));
      }
      writer.endRecord();
    }
    bytes += writer.take().length;
  }
  return bytes;
}

/** parquet-wasm: parse the CSV into arrow columns (numbers as doubles), then encode. */
async function csvToWasmParquet(csv: Uint8Array): Promise<number> {
  const dialect = resolveDialect();
  const tokenizer = new RecordTokenizer(dialect);
  let header: string[] | null = null;
  let cells: string[][] = [];
  for await (const block of recordBlocks(once(csv), dialect)) {
    let pos = 0;
    while (pos < block.length) {
      pos = tokenizer.next(block, pos, block.length, true);
      const fields = Array.from({ length: tokenizer.fieldCount }, (_, i) => fieldText(block, tokenizer, i));
      if (header === null) {
        header = fields;
        cells = header.map(() => []);
      } else fields.forEach((f, i) => cells[i]?.push(f));
    }
  }
  const arrays = Object.fromEntries(
    (header ?? []).map((name, i) => {
      const values = cells[i] as string[];
      return [name, name === 'label' ? values : Float64Array.from(values, Number)];
    }),
  );
  const table = wasm.Table.fromIPCStream(tableToIPC(tableFromArrays(arrays), 'stream'));
  const props = new wasm.WriterPropertiesBuilder()
    .setCompression(wasm.Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP)
    .build();
  return wasm.writeParquet(table, props).length;
}

export async function run(opts: { smoke: boolean }): Promise<BenchResult[]> {
  const rows = opts.smoke ? 100_000 : 1_000_000;
  const repeat = opts.smoke ? 1 : 2;
  const file = hyparquetFile(columns(rows));
  const dir = mkdtempSync(join(tmpdir(), 'batchline-parquet-bench-'));
  const duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
  try {
    const parquetPath = join(dir, 'in.parquet');
    writeFileSync(parquetPath, file);
    let csv = new Uint8Array(0);
    const hyRead = await bestOf(repeat, async () => {
      const pieces: Buffer[] = [];
      for await (const piece of parquetToCsv(file.slice().buffer as ArrayBuffer))
        pieces.push(Buffer.from(piece));
      csv = Buffer.concat(pieces);
    });
    const csvPath = join(dir, 'in.csv');
    writeFileSync(csvPath, csv);
    const wasmRead = await bestOf(repeat, () => wasmToCsv(file));
    const duckRead = await bestOf(repeat, () =>
      duck.run(`COPY (SELECT * FROM read_parquet('${parquetPath}')) TO '${join(dir, 'out.csv')}' (HEADER)`),
    );
    const hyWrite = await bestOf(repeat, () => drain(csvToParquet(once(csv))));
    const wasmWrite = await bestOf(repeat, () => csvToWasmParquet(csv));
    const duckWrite = await bestOf(repeat, () =>
      duck.run(
        `COPY (SELECT * FROM read_csv('${csvPath}')) TO '${join(dir, 'out.parquet')}' (FORMAT parquet, COMPRESSION snappy)`,
      ),
    );
    const size = `${rows} rows x ${FEATURES + 2} cols; Parquet ${(file.length / 2 ** 20).toFixed(1)} MiB, CSV ${(csv.length / 2 ** 20).toFixed(1)} MiB`;
    const rate = (seconds: number) => rows / seconds;
    const versus = (seconds: number, shipped: number) => `${(shipped / seconds).toFixed(2)}x hyparquet`;
    return [
      { name: 'parquet→csv: hyparquet (shipped)', value: rate(hyRead), unit: 'rows/s', note: size },
      {
        name: 'parquet→csv: parquet-wasm+arrow',
        value: rate(wasmRead),
        unit: 'rows/s',
        note: versus(wasmRead, hyRead),
      },
      {
        name: 'parquet→csv: duckdb (native, 1 thread)',
        value: rate(duckRead),
        unit: 'rows/s',
        note: versus(duckRead, hyRead),
      },
      { name: 'csv→parquet: hyparquet-writer (shipped)', value: rate(hyWrite), unit: 'rows/s' },
      {
        name: 'csv→parquet: parquet-wasm+arrow',
        value: rate(wasmWrite),
        unit: 'rows/s',
        note: versus(wasmWrite, hyWrite),
      },
      {
        name: 'csv→parquet: duckdb (native, 1 thread)',
        value: rate(duckWrite),
        unit: 'rows/s',
        note: versus(duckWrite, hyWrite),
      },
    ];
  } finally {
    duck.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes('--smoke');
  process.stdout.write(`${formatResults(await run({ smoke }))}\n`);
}
