/**
 * Parquet → CSV, one row group at a time, for scoring Parquet input with the CSV engine. Values are written the
 * way they are stored, never through a lossy JavaScript number: INT64 as its exact decimal digits, DECIMAL from
 * its unscaled integer, timestamps as ISO-8601 UTC with the unit's full precision (`.123456Z` for micros), DATE
 * as `YYYY-MM-DD`, booleans `true`/`false`, nulls as an empty cell, strings quoted as RFC 4180 needs.
 *
 * The file is read through a random-access reader (`slice(start, end)`), so an object in S3 is read with ranged
 * GETs: the footer first, then one row group's column chunks at a time. Memory is about one decoded row group.
 */
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type SchemaElement,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ScoringError } from '../../domain/errors.js';
import { CsvWriter } from '../csv/csv-writer.js';
import type { CsvDialect } from '../csv/dialect.js';

/** Random access to a file's bytes (hyparquet's AsyncBuffer): an ArrayBuffer, or a reader backed by ranged GETs. */
export interface RandomAccessFile {
  readonly byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

/** The input is not a Parquet file this build can read; the message says what to change. */
export class ParquetFormatError extends ScoringError {
  override name = 'ParquetFormatError';
}

export interface ParquetToCsvOptions {
  /** Delimiter and quote of the CSV written (its encoding is always UTF-8). @default `,` and `"` */
  readonly dialect?: Pick<CsvDialect, 'delimiter' | 'quote'>;
}

const COMMA = 0x2c;
const DOUBLE_QUOTE = 0x22;
const MAGIC = 'PAR1';

/** How one column's stored values become CSV text. */
type ColumnFormat =
  | { readonly kind: 'plain' }
  | { readonly kind: 'decimal'; readonly scale: number }
  | { readonly kind: 'timestamp'; readonly unit: TimeUnit; readonly utc: boolean }
  | { readonly kind: 'time'; readonly unit: TimeUnit }
  | { readonly kind: 'date' };

type TimeUnit = 'MILLIS' | 'MICROS' | 'NANOS';

/** The CSV header and row count of a Parquet file, read from its footer alone. */
export interface ParquetSummary {
  readonly columns: readonly string[];
  readonly rowCount: number;
}

/**
 * Reads the footer: column names and row count. Cheap (one or two ranged reads), used to describe a dataset.
 *
 * @throws ParquetFormatError when the bytes are not a readable Parquet file or its columns are nested.
 */
export async function parquetSummary(file: RandomAccessFile): Promise<ParquetSummary> {
  const { metadata, columns } = await openParquet(file);
  return { columns: columns.map((c) => c.name), rowCount: Number(metadata.num_rows) };
}

/**
 * Streams the file as UTF-8 CSV: the header row, then every row in file order, each record ending in `\n`.
 *
 * @throws ParquetFormatError for a file that is not Parquet, is truncated or corrupt, has nested (LIST, MAP,
 *   struct) columns, or uses an encoding or codec that cannot be decoded.
 */
export async function* parquetToCsv(
  file: RandomAccessFile,
  options: ParquetToCsvOptions = {},
): AsyncGenerator<Uint8Array> {
  const { metadata, columns } = await openParquet(file);
  const dialect = {
    delimiter: options.dialect?.delimiter ?? COMMA,
    quote: options.dialect?.quote ?? DOUBLE_QUOTE,
    encoding: 'utf8',
  };
  const writer = new CsvWriter(dialect);
  for (const column of columns) writer.text(column.name);
  writer.endRecord();
  yield writer.take();
  const readable = rawMetadata(metadata, columns);
  const cellWriters = columns.map((column) => cellWriter(writer, column.format));
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const data = await readRowGroup(file, readable, columns, groupStart, rows);
    for (let row = 0; row < rows; row++) {
      for (let c = 0; c < data.length; c++)
        (cellWriters[c] as CellWriter)((data[c] as ArrayLike<unknown>)[row]);
      writer.endRecord();
    }
    yield writer.take();
    groupStart += rows;
  }
}

interface Column {
  readonly name: string;
  readonly format: ColumnFormat;
}

async function openParquet(file: RandomAccessFile): Promise<{ metadata: FileMetaData; columns: Column[] }> {
  if (
    file.byteLength < 12 ||
    (await magicAt(file, 0)) !== MAGIC ||
    (await magicAt(file, file.byteLength - 4)) !== MAGIC
  ) {
    throw new ParquetFormatError(
      'the input is not a Parquet file (it does not start and end with "PAR1"); check the format setting',
    );
  }
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file as AsyncBuffer, { geoparquet: false });
  } catch (error) {
    throw new ParquetFormatError(`the Parquet file's footer cannot be read: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const columns = parquetSchema(metadata).children.map(({ element, children }) => {
    if (children.length > 0 || element.type === undefined) {
      throw new ParquetFormatError(
        `Parquet column ${JSON.stringify(element.name)} is nested (a list, map or struct); only flat columns ` +
          'can be scored: flatten it into one column per value',
      );
    }
    return { name: element.name, format: formatOf(element) };
  });
  if (columns.length === 0) throw new ParquetFormatError('the Parquet file has no columns');
  return { metadata, columns };
}

async function magicAt(file: RandomAccessFile, offset: number): Promise<string> {
  return Buffer.from(await file.slice(offset, offset + 4)).toString('latin1');
}

function formatOf(element: SchemaElement): ColumnFormat {
  const logical = element.logical_type;
  if (logical?.type === 'DECIMAL') return { kind: 'decimal', scale: logical.scale };
  if (element.converted_type === 'DECIMAL') return { kind: 'decimal', scale: element.scale ?? 0 };
  if (logical?.type === 'TIMESTAMP')
    return { kind: 'timestamp', unit: logical.unit, utc: logical.isAdjustedToUTC };
  if (element.converted_type === 'TIMESTAMP_MILLIS') return { kind: 'timestamp', unit: 'MILLIS', utc: true };
  if (element.converted_type === 'TIMESTAMP_MICROS') return { kind: 'timestamp', unit: 'MICROS', utc: true };
  if (logical?.type === 'TIME') return { kind: 'time', unit: logical.unit };
  if (element.converted_type === 'TIME_MILLIS') return { kind: 'time', unit: 'MILLIS' };
  if (element.converted_type === 'TIME_MICROS') return { kind: 'time', unit: 'MICROS' };
  if (logical?.type === 'DATE' || element.converted_type === 'DATE') return { kind: 'date' };
  return { kind: 'plain' };
}

/**
 * The metadata with the annotations this module formats itself removed, so hyparquet hands over the stored
 * integers and bytes: its own conversions go through Number (decimals) or Date (millisecond timestamps).
 */
function rawMetadata(metadata: FileMetaData, columns: readonly Column[]): FileMetaData {
  const formatted = new Set(columns.filter((c) => c.format.kind !== 'plain').map((c) => c.name));
  const schema = metadata.schema.map((element, index) => {
    if (index === 0 || !formatted.has(element.name)) return element;
    const { converted_type: _converted, logical_type: _logical, ...raw } = element;
    return raw;
  });
  return { ...metadata, schema };
}

/**
 * One row group, column by column (hyparquet's column chunks as decoded, without building row objects). hyparquet
 * hands over a column in one piece or several; several are joined in row order.
 */
async function readRowGroup(
  file: RandomAccessFile,
  metadata: FileMetaData,
  columns: readonly Column[],
  groupStart: number,
  rows: number,
): Promise<ArrayLike<unknown>[]> {
  const pieces = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
  try {
    await parquetRead({
      file: file as AsyncBuffer,
      metadata,
      rowStart: groupStart,
      rowEnd: groupStart + rows,
      compressors,
      geoparquet: false,
      // Unannotated BYTE_ARRAY columns (and decimals stored as bytes) arrive as bytes; the cell writers decide.
      utf8: false,
      parsers: TEXT_PARSERS,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const list = pieces.get(columnName) ?? [];
        list.push({ rowStart, data: columnData });
        pieces.set(columnName, list);
      },
    });
  } catch (error) {
    throw new ParquetFormatError(
      `rows ${groupStart}-${groupStart + rows - 1} of the Parquet file cannot be read: ${messageOf(error)}`,
      { cause: error },
    );
  }
  return columns.map(({ name }) => {
    const list = (pieces.get(name) ?? []).sort((a, b) => a.rowStart - b.rowStart);
    return list.length === 1 ? (list[0]?.data ?? []) : list.flatMap((piece) => Array.from(piece.data));
  });
}

const utf8 = new TextDecoder();

/** hyparquet's hooks for the types still converted by it: INT96 timestamps, JSON, UUID, strings. */
const TEXT_PARSERS = {
  timestampFromNanoseconds: (nanos: bigint) => isoTimestamp(nanos, 'NANOS', true),
  stringFromBytes: (bytes: Uint8Array | undefined) => bytes && utf8.decode(bytes),
  jsonFromBytes: (bytes: Uint8Array | undefined) => bytes && utf8.decode(bytes),
};

type CellWriter = (value: unknown) => void;

/** The function that writes one cell of a column: chosen once per column, not per value. */
function cellWriter(writer: CsvWriter, format: ColumnFormat): CellWriter {
  const nullable =
    (write: (value: unknown) => void): CellWriter =>
    (value) => {
      if (value === null || value === undefined) writer.empty();
      else write(value);
    };
  switch (format.kind) {
    case 'decimal':
      return nullable((value) => writer.text(decimalText(unscaled(value), format.scale)));
    case 'timestamp':
      return nullable((value) => writer.text(isoTimestamp(BigInt(value as bigint), format.unit, format.utc)));
    case 'time':
      return nullable((value) => writer.text(timeOfDay(BigInt(value as bigint), format.unit)));
    case 'date':
      return nullable((value) =>
        writer.text(new Date(Number(value) * 86_400_000).toISOString().slice(0, 10)),
      );
    case 'plain':
      return nullable((value) => writePlain(writer, value));
  }
}

function writePlain(writer: CsvWriter, value: unknown): void {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) writer.text('nan');
    else writer.number(value);
  } else if (typeof value === 'string') writer.text(value);
  else if (typeof value === 'bigint') writer.text(value.toString());
  else if (typeof value === 'boolean') writer.text(value ? 'true' : 'false');
  else if (value instanceof Uint8Array) writer.text(utf8.decode(value));
  else writer.text(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** A DECIMAL's unscaled integer: INT32 (number), INT64 (bigint) or big-endian two's complement bytes. */
function unscaled(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  const bytes = value as Uint8Array;
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  return bytes.length > 0 && (bytes[0] as number) >= 0x80 ? n - (1n << bits) : n;
}

/** The exact decimal text of unscaled × 10^-scale, e.g. (-12345n, 2) → `-123.45`, (5n, 3) → `0.005`. */
export function decimalText(unscaledValue: bigint, scale: number): string {
  if (scale <= 0) return (unscaledValue * 10n ** BigInt(-scale)).toString();
  const negative = unscaledValue < 0n;
  const digits = (negative ? -unscaledValue : unscaledValue).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

const PER_SECOND: Record<TimeUnit, bigint> = { MILLIS: 1_000n, MICROS: 1_000_000n, NANOS: 1_000_000_000n };
const FRACTION_DIGITS: Record<TimeUnit, number> = { MILLIS: 3, MICROS: 6, NANOS: 9 };

/**
 * ISO-8601 text of a count of `unit`s since the epoch, keeping the unit's precision (JavaScript's Date keeps only
 * milliseconds). `utc` false (a local, zone-less timestamp) drops the `Z`.
 */
export function isoTimestamp(value: bigint, unit: TimeUnit, utc: boolean): string {
  const perSecond = PER_SECOND[unit];
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return value.toString();
  const whole = date.toISOString().slice(0, 19);
  const digits = fraction.toString().padStart(FRACTION_DIGITS[unit], '0');
  return `${whole}.${digits}${utc ? 'Z' : ''}`;
}

function timeOfDay(value: bigint, unit: TimeUnit): string {
  const perSecond = PER_SECOND[unit];
  const seconds = Number(value / perSecond);
  const fraction = (value % perSecond).toString().padStart(FRACTION_DIGITS[unit], '0');
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${fraction}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
