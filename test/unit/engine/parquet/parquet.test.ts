import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { ByteWriter, type ColumnSource, parquetWrite, type SchemaElement } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { ScoringError } from '../../../../shared/domain/errors.js';
import { csvToParquet, type ParquetWriteSummary } from '../../../../shared/engine/parquet/csv-to-parquet.js';
import {
  decimalText,
  isoTimestamp,
  ParquetFormatError,
  parquetSummary,
  parquetToCsv,
} from '../../../../shared/engine/parquet/parquet-to-csv.js';

function writeParquet(
  columnData: ColumnSource[],
  schema?: SchemaElement[],
  rowGroupSize = 1000,
): ArrayBuffer {
  const writer = new ByteWriter();
  parquetWrite({ writer, columnData, schema, rowGroupSize });
  return writer.getBuffer();
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

async function bytes(chunks: AsyncIterable<Uint8Array>): Promise<ArrayBuffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  const all = Buffer.concat(parts);
  return all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer;
}

async function* once(csv: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(csv);
}

const BIG = 2n ** 53n + 1n; // 9007199254740993: not a double

describe('parquetToCsv: type fidelity', () => {
  const file = writeParquet(
    [
      { name: 'id', data: [BIG, -BIG, null] },
      { name: 'amount', data: [12345n, -5n, null] },
      { name: 'wide', data: [123456789012345678901234567890n, -1n, 0n] },
      {
        name: 'at',
        data: [1_700_000_000_123_456n, null, -1n],
      },
      { name: 'ms', data: [new Date('2024-02-29T12:34:56.789Z'), null, new Date(0)] },
      { name: 'day', data: [new Date('2024-02-29T00:00:00Z'), new Date('1969-12-31T00:00:00Z'), null] },
      { name: 'flag', data: [true, false, null] },
      { name: 'x', data: [0.1, 1e21, null] },
      { name: 'n', data: [1, -2, 3] },
      { name: 'label', data: ['a,b', 'say "hi"\nbye', 'Zürich ✓'] },
    ],
    [
      { name: 'root', num_children: 10 },
      { name: 'id', type: 'INT64', repetition_type: 'OPTIONAL' },
      {
        name: 'amount',
        type: 'INT64',
        converted_type: 'DECIMAL',
        scale: 2,
        precision: 18,
        repetition_type: 'OPTIONAL',
      },
      {
        name: 'wide',
        type: 'FIXED_LEN_BYTE_ARRAY',
        type_length: 16,
        converted_type: 'DECIMAL',
        scale: 10,
        precision: 38,
        repetition_type: 'OPTIONAL',
      },
      {
        name: 'at',
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
        repetition_type: 'OPTIONAL',
      },
      { name: 'ms', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' },
      { name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
      { name: 'flag', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
      { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 'n', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
    2,
  );

  it('writes int64, decimals, timestamps, dates, booleans, nulls and strings exactly', async () => {
    expect(await text(parquetToCsv(file))).toBe(
      [
        'id,amount,wide,at,ms,day,flag,x,n,label',
        '9007199254740993,123.45,12345678901234567890.1234567890,2023-11-14T22:13:20.123456Z,2024-02-29T12:34:56.789Z,2024-02-29,true,0.1,1,"a,b"',
        '-9007199254740993,-0.05,-0.0000000001,,,1969-12-31,false,1e+21,-2,"say ""hi""\nbye"',
        ',,0.0000000000,1969-12-31T23:59:59.999999Z,1970-01-01T00:00:00.000Z,,,,3,Zürich ✓',
        '',
      ].join('\n'),
    );
  });

  it('writes the delimiter and quote asked for', async () => {
    const semicolons = await text(parquetToCsv(file, { dialect: { delimiter: 0x3b, quote: 0x27 } }));
    expect(semicolons.split('\n')[1]).toContain('2024-02-29;true;0.1;1;a,b');
    expect(semicolons).toContain(`'say "hi"\nbye'`);
  });

  it('summarizes columns and rows from the footer', async () => {
    expect(await parquetSummary(file)).toEqual({
      columns: ['id', 'amount', 'wide', 'at', 'ms', 'day', 'flag', 'x', 'n', 'label'],
      rowCount: 3,
    });
  });

  it('reads through a random-access reader, fetching only ranges', async () => {
    const values = Float64Array.from({ length: 300_000 }, (_, i) => Math.sin(i));
    const file = writeParquet([{ name: 'v', data: values, type: 'DOUBLE' }], undefined, 100_000);
    const ranges: number[] = [];
    const reader = {
      byteLength: file.byteLength,
      slice: async (start: number, end?: number) => {
        ranges.push((end ?? file.byteLength) - start);
        return file.slice(start, end);
      },
    };
    expect(await text(parquetToCsv(reader))).toBe(await text(parquetToCsv(file)));
    expect(ranges.length).toBeGreaterThan(1);
    expect(Math.max(...ranges)).toBeLessThan(file.byteLength / 2);
  });

  it('reads column chunks of many pages across row groups', async () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => BigInt(i) * 3n);
    const labels = ids.map((id) => `row ${id}`);
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      columnData: [
        { name: 'id', data: ids, type: 'INT64' },
        { name: 'label', data: labels, type: 'STRING' },
      ],
      rowGroupSize: 15_000,
      pageSize: 4096,
    });
    const lines = (await text(parquetToCsv(writer.getBuffer()))).trimEnd().split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines.slice(1).every((line, i) => line === `${ids[i]},${labels[i]}`)).toBe(true);
  });

  it('formats decimal and timestamp edge cases', () => {
    expect(decimalText(5n, 3)).toBe('0.005');
    expect(decimalText(-5n, 3)).toBe('-0.005');
    expect(decimalText(12n, 0)).toBe('12');
    expect(decimalText(12n, -2)).toBe('1200');
    expect(isoTimestamp(1n, 'NANOS', true)).toBe('1970-01-01T00:00:00.000000001Z');
    expect(isoTimestamp(-1n, 'MILLIS', false)).toBe('1969-12-31T23:59:59.999');
  });
});

describe('parquetToCsv: bad input', () => {
  it('rejects bytes that are not Parquet with a message naming the format', async () => {
    const notParquet = Buffer.from('a,b\n1,2\n').buffer;
    await expect(text(parquetToCsv(notParquet as ArrayBuffer))).rejects.toThrow(/not a Parquet file.*format/);
  });

  it('rejects a truncated file', async () => {
    const good = writeParquet([{ name: 'a', data: [1, 2, 3] }]);
    const cut = new Uint8Array(good.byteLength - 20);
    cut.set(new Uint8Array(good, 0, 4));
    cut.set(new Uint8Array(good, good.byteLength - 4), cut.length - 4);
    await expect(text(parquetToCsv(cut.buffer))).rejects.toBeInstanceOf(ParquetFormatError);
  });

  it('rejects nested columns, naming the column', async () => {
    const nested = writeParquet(
      [{ name: 'tags', data: [['a'], ['b', 'c']] }],
      [
        { name: 'root', num_children: 1 },
        { name: 'tags', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ],
    );
    await expect(text(parquetToCsv(nested))).rejects.toThrow(/"tags" is nested/);
  });

  it('writes a JSON column as its JSON text', async () => {
    const json = writeParquet([{ name: 'doc', data: [{ a: 1 }, ['b']], type: 'JSON' }]);
    expect(await text(parquetToCsv(json))).toBe('doc\n"{""a"":1}"\n"[""b""]"\n');
  });
});

describe('csvToParquet', () => {
  it('round-trips scored CSV through Parquet: doubles, strings, nulls, quoting', async () => {
    const csv =
      'row_id,score,PREDICTION,prediction_status,note\n' +
      '0,0.25,1,OK,"a,b"\n' +
      '1,-3.5e-7,0,OK,"say ""hi""\nbye"\n' +
      '2,,1,,Zürich\n';
    const summary: ParquetWriteSummary = { rows: 0, bytes: 0 };
    const file = await bytes(csvToParquet(once(csv), {}, summary));
    expect(summary.rows).toBe(3);
    expect(summary.bytes).toBe(file.byteLength);
    const rows = await parquetReadObjects({ file });
    expect(rows).toEqual([
      { row_id: 0, score: 0.25, PREDICTION: 1, prediction_status: 'OK', note: 'a,b' },
      { row_id: 1, score: -3.5e-7, PREDICTION: 0, prediction_status: 'OK', note: 'say "hi"\nbye' },
      { row_id: 2, score: null, PREDICTION: 1, prediction_status: null, note: 'Zürich' },
    ]);
    const types = parquetMetadata(file)
      .schema.slice(1)
      .map((e) => e.type);
    expect(types).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE', 'BYTE_ARRAY', 'BYTE_ARRAY']);
    expect(await text(parquetToCsv(file))).toBe(csv.replace('-3.5e-7', '-3.5e-7'));
  });

  it('bounds row groups by rows and keeps every row in order', async () => {
    const lines = ['i,label', ...Array.from({ length: 25 }, (_, i) => `${i},x${i}`)];
    const file = await bytes(csvToParquet(once(`${lines.join('\n')}\n`), { rowGroupRows: 10 }));
    expect(parquetMetadata(file).row_groups.map((g) => Number(g.num_rows))).toEqual([10, 10, 5]);
    expect((await parquetReadObjects({ file })).map((r) => r.i)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
  });

  it('writes a header-only CSV as an empty file with string columns', async () => {
    const file = await bytes(csvToParquet(once('a,b\n')));
    expect(Number(parquetMetadata(file).num_rows)).toBe(0);
    expect(await text(parquetToCsv(file))).toBe('a,b\n');
  });

  it('keeps listed columns as strings even when numeric', async () => {
    const file = await bytes(csvToParquet(once('label\n1\n2\n'), { stringColumns: ['label'] }));
    expect(await parquetReadObjects({ file })).toEqual([{ label: '1' }, { label: '2' }]);
  });

  it('fails clearly when a numeric column later holds text', async () => {
    const csv = 'a\n1\n2\nthree\n';
    await expect(bytes(csvToParquet(once(csv), { rowGroupRows: 2 }))).rejects.toThrow(
      /column "a" was written as numbers .* row 3 holds "three"/,
    );
  });

  it('rejects empty input, repeated names and ragged records', async () => {
    await expect(bytes(csvToParquet(once('')))).rejects.toBeInstanceOf(ScoringError);
    await expect(bytes(csvToParquet(once('a,a\n1,2\n')))).rejects.toThrow(/repeats column "a"/);
    await expect(bytes(csvToParquet(once('a,b\n1\n')))).rejects.toThrow(/record 1 has 1 fields/);
  });
});
