/**
 * Scored CSV → Parquet, for `outputSettings.format: parquet`. The CSV is read record by record and written as
 * row groups of at most `rowGroupRows` rows or about `rowGroupBytes` of CSV text, so memory stays around one row
 * group however long the output is; each row group's bytes are yielded as soon as they are encoded.
 *
 * Column types are inferred from the first row group: a column whose every non-empty cell there is a number
 * (including `inf`, `-inf`, `nan`) becomes a nullable DOUBLE, any other column a nullable UTF-8 STRING, and
 * empty cells are nulls. Columns that hold labels or statuses (`prediction_status`, the explanation name,
 * strength and value columns, and any listed in `stringColumns`) are strings whatever they look like, so a
 * label that happens to be numeric in the first rows does not fix the type for the rest.
 *
 * Usage: `for await (const bytes of csvToParquet(scoredCsv)) upload(bytes)`.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { ScoringError } from '../../domain/errors.js';
import type { CsvDialect } from '../csv/dialect.js';
import { recordBlocks } from '../csv/record-blocks.js';
import { fieldText, RecordTokenizer } from '../csv/record-tokenizer.js';

export interface CsvToParquetOptions {
  /** Delimiter and quote of the CSV read (UTF-8). @default `,` and `"` */
  readonly dialect?: Pick<CsvDialect, 'delimiter' | 'quote'>;
  /** Most rows per row group. @default 100000 */
  readonly rowGroupRows?: number;
  /** A row group ends once it holds about this many bytes of CSV text. @default 64 MiB */
  readonly rowGroupBytes?: number;
  /** More columns to keep as strings (see the module notes). */
  readonly stringColumns?: readonly string[];
}

/** What was written, for the job's counters. */
export interface ParquetWriteSummary {
  rows: number;
  bytes: number;
}

const DEFAULT_ROW_GROUP_ROWS = 100_000;
const DEFAULT_ROW_GROUP_BYTES = 64 << 20;
/** Output columns that carry text whatever their first values look like. */
const TEXT_COLUMN =
  /^prediction_status$|^EXPLANATION_\d+_(FEATURE_NAME|STRENGTH|ACTUAL_VALUE|QUALITATIVE_STRENGTH)$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  inf: Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  nan: Number.NaN,
};

/**
 * Converts CSV (header first) to a Parquet file, yielded in pieces (the magic, then one piece per row group,
 * then the footer). `summary`, when given, is filled with the rows and bytes written.
 *
 * @throws ScoringError when the CSV has no header, repeats a column name, has a record with a different number
 *   of fields than the header, or has text in a column the first row group typed as numeric.
 */
export async function* csvToParquet(
  csv: AsyncIterable<Uint8Array>,
  options: CsvToParquetOptions = {},
  summary: ParquetWriteSummary = { rows: 0, bytes: 0 },
): AsyncGenerator<Uint8Array> {
  const dialect = {
    delimiter: options.dialect?.delimiter ?? 0x2c,
    quote: options.dialect?.quote ?? 0x22,
    encoding: 'utf8',
  };
  const maxRows = Math.max(1, options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS);
  const maxBytes = Math.max(1, options.rowGroupBytes ?? DEFAULT_ROW_GROUP_BYTES);
  const tokenizer = new RecordTokenizer(dialect);
  let file: ParquetFile | null = null;
  for await (const block of recordBlocks(csv, dialect, { minBytes: 1 << 20 })) {
    let pos = 0;
    while (pos < block.length) {
      pos = tokenizer.next(block, pos, block.length, true);
      if (tokenizer.fieldCount === 1 && tokenizer.starts[0] === tokenizer.ends[0]) continue;
      const fields = Array.from({ length: tokenizer.fieldCount }, (_, i) => fieldText(block, tokenizer, i));
      if (file === null) {
        file = new ParquetFile(checkHeader(fields), new Set(options.stringColumns ?? []));
        continue;
      }
      file.add(fields, tokenizer.recordEnd - tokenizer.recordStart);
      if (file.buffered.rows >= maxRows || file.buffered.bytes >= maxBytes)
        yield counted(summary, file.flush());
    }
  }
  if (file === null) throw new ScoringError('the CSV to write as Parquet is empty: expected a header row');
  if (file.buffered.rows > 0) yield counted(summary, file.flush());
  summary.rows = file.rows;
  yield counted(summary, file.finish());
}

/** A Parquet file being written: the buffered row group, the schema fixed by the first one, the encoder. */
class ParquetFile {
  buffered: RowGroupBuffer;
  rows = 0;
  private readonly output = new ChunkedByteWriter();
  private encoder: { writer: ParquetWriter; types: ColumnType[] } | null = null;

  constructor(
    private readonly header: readonly string[],
    private readonly forcedText: ReadonlySet<string>,
  ) {
    this.buffered = emptyGroup(header.length);
  }

  add(fields: readonly string[], recordBytes: number): void {
    if (fields.length !== this.header.length) {
      throw new ScoringError(
        `CSV record ${this.rows + 1} has ${fields.length} fields but the header has ${this.header.length}; ` +
          'cannot write it as Parquet',
      );
    }
    for (let i = 0; i < fields.length; i++) (this.buffered.cells[i] as string[]).push(fields[i] as string);
    this.buffered.rows++;
    this.buffered.bytes += recordBytes;
    this.rows++;
  }

  /** Encodes the buffered rows as one row group and returns its bytes. */
  flush(): Uint8Array {
    const { cells, rows } = this.buffered;
    const { writer, types } = this.encoderFor(cells);
    const firstRow = this.rows - rows;
    const columnData = this.header.map((name, i) => ({
      name,
      data: toColumn(cells[i] as string[], types[i] as ColumnType, name, firstRow),
    }));
    writer.write({ columnData, rowGroupSize: rows });
    this.buffered = emptyGroup(this.header.length);
    return this.output.take();
  }

  /** Writes the footer (a file without rows gets string columns) and returns the remaining bytes. */
  finish(): Uint8Array {
    this.encoderFor(this.buffered.cells).writer.finish();
    return this.output.take();
  }

  private encoderFor(sample: readonly (readonly string[])[]): { writer: ParquetWriter; types: ColumnType[] } {
    if (this.encoder === null) {
      const types = this.header.map((name, i) =>
        this.forcedText.has(name) || TEXT_COLUMN.test(name) ? 'STRING' : inferType(sample[i] ?? []),
      );
      this.encoder = {
        writer: new ParquetWriter({ writer: this.output, schema: schemaOf(this.header, types) }),
        types,
      };
    }
    return this.encoder;
  }
}

type ColumnType = 'DOUBLE' | 'STRING';

interface RowGroupBuffer {
  readonly cells: string[][];
  rows: number;
  bytes: number;
}

function emptyGroup(columns: number): RowGroupBuffer {
  return { cells: Array.from({ length: columns }, () => []), rows: 0, bytes: 0 };
}

function counted(summary: ParquetWriteSummary, bytes: Uint8Array): Uint8Array {
  summary.bytes += bytes.length;
  return bytes;
}

function checkHeader(names: string[]): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '')
      throw new ScoringError('the CSV header has an empty column name; Parquet needs a name per column');
    if (seen.has(name))
      throw new ScoringError(
        `the CSV header repeats column ${JSON.stringify(name)}; Parquet needs unique names`,
      );
    seen.add(name);
  }
  return names;
}

function inferType(cells: readonly string[]): ColumnType {
  let sawNumber = false;
  for (const cell of cells) {
    if (cell === '') continue;
    if (parseNumber(cell) === null) return 'STRING';
    sawNumber = true;
  }
  return sawNumber ? 'DOUBLE' : 'STRING';
}

function parseNumber(text: string): number | null {
  if (NUMBER.test(text)) return Number(text);
  return SPECIAL_NUMBERS[text.toLowerCase()] ?? null;
}

function toColumn(
  cells: string[],
  type: ColumnType,
  name: string,
  firstRow: number,
): (string | number | null)[] {
  if (type === 'STRING') return cells.map((cell) => (cell === '' ? null : cell));
  return cells.map((cell, i) => {
    if (cell === '') return null;
    const value = parseNumber(cell);
    if (value === null) {
      throw new ScoringError(
        `column ${JSON.stringify(name)} was written as numbers (from its first rows) but row ${firstRow + i + 1} ` +
          `holds ${JSON.stringify(cell.slice(0, 40))}; write CSV instead, or have the values be consistent`,
      );
    }
    return value;
  });
}

function schemaOf(names: readonly string[], types: readonly ColumnType[]): SchemaElement[] {
  return [
    { name: 'schema', num_children: names.length },
    ...names.map(
      (name, i): SchemaElement =>
        types[i] === 'DOUBLE'
          ? { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }
          : { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ),
  ];
}

/** hyparquet-writer's ByteWriter, emptied after each row group so the whole file is never held. */
class ChunkedByteWriter extends ByteWriter {
  /** The bytes written since the last take(), copied out; the buffer is reused. */
  take(): Uint8Array {
    const bytes = new Uint8Array(this.buffer, 0, this.index).slice();
    this.index = 0;
    return bytes;
  }
}
