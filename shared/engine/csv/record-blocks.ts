/**
 * Record-aligned views of a CSV byte stream: the chunk planner (byte ranges for parallel scoring) and the
 * re-chunker (Buffers of whole records for the tokenizer). Both cut where RecordTokenizer ends records.
 */
import { BoundaryScanner } from './boundary-scanner.js';
import type { CsvDialect } from './dialect.js';
import { CsvFormatError } from './errors.js';

export { BoundaryScanner } from './boundary-scanner.js';

/** A half-open byte range [start, end) of the original stream. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Where a job's input splits: the header record, then chunks of whole records. */
export interface ChunkPlan {
  /** The first record including its terminator, after a UTF-8 BOM if there is one. */
  readonly headerRange: ByteRange;
  /** Consecutive ranges covering everything after the header; index counts from 0. */
  readonly chunks: ReadonlyArray<ByteRange & { index: number }>;
  /** Length of the stream, BOM included. */
  readonly totalBytes: number;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function asBuffer(piece: Uint8Array): Buffer {
  return Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
}

/**
 * Yields the source's bytes as Buffers (views, not copies) without a leading UTF-8 BOM; sets `skipped.bytes` to
 * the BOM's length (0 or 3) once it is known.
 */
async function* withoutUtf8Bom(
  source: AsyncIterable<Uint8Array>,
  skipped: { bytes: number },
): AsyncGenerator<Buffer> {
  let head: Buffer[] | null = [];
  let headBytes = 0;
  for await (const chunk of source) {
    const piece = asBuffer(chunk);
    if (head === null) {
      if (piece.length > 0) yield piece;
      continue;
    }
    head.push(piece);
    headBytes += piece.length;
    if (headBytes < UTF8_BOM.length) continue;
    const first = head.length === 1 ? piece : Buffer.concat(head);
    head = null;
    const hasBom = UTF8_BOM.every((b, i) => first[i] === b);
    skipped.bytes = hasBom ? UTF8_BOM.length : 0;
    const rest = hasBom ? first.subarray(UTF8_BOM.length) : first;
    if (rest.length > 0) yield rest;
  }
  // a stream shorter than a BOM cannot start with one
  if (head !== null && headBytes > 0) yield Buffer.concat(head);
}

/**
 * Plans chunks of about `targetBytes` (each at least that long, except the last) that start and end on record
 * boundaries. Offsets are in the original stream. The header is excluded from the chunks; an empty or
 * header-only stream gives zero chunks.
 *
 * @throws CsvFormatError when the stream ends inside a quoted field.
 */
export async function planChunks(
  source: AsyncIterable<Uint8Array>,
  dialect: CsvDialect,
  targetBytes: number,
): Promise<ChunkPlan> {
  const bom = { bytes: 0 };
  const scanner = new BoundaryScanner(dialect, Math.max(1, targetBytes), 0);
  const boundaries: number[] = [];
  for await (const piece of withoutUtf8Bom(source, bom)) {
    const base = scanner.position;
    for (const rel of scanner.feed(piece)) boundaries.push(base + rel);
  }
  scanner.finish();
  const end = scanner.position;
  const headerEnd = boundaries[0] ?? end;
  const cuts = boundaries.slice(1);
  if (cuts.at(-1) !== end && headerEnd < end) cuts.push(end);
  const chunks: Array<ByteRange & { index: number }> = [];
  let start = headerEnd;
  for (const cut of cuts) {
    chunks.push({ index: chunks.length, start: start + bom.bytes, end: cut + bom.bytes });
    start = cut;
  }
  return {
    headerRange: { start: bom.bytes, end: headerEnd + bom.bytes },
    chunks,
    totalBytes: end + bom.bytes,
  };
}

/** Options of {@link recordBlocks}. */
export interface RecordBlockOptions {
  /** Minimum bytes per block (except the last). @default 1 MiB */
  minBytes?: number;
  /** A record running this far past a block's minimum size aborts the stream. @default 64 MiB */
  maxRecordBytes?: number;
}

/**
 * Re-chunks a stream into Buffers of whole records, each at least `minBytes` long unless the stream ends; the
 * first starts with the header record (a UTF-8 BOM is dropped). Memory stays around minBytes plus the longest
 * record. A block made of a single source piece is a view of it, not a copy.
 *
 * @throws CsvFormatError when a record runs more than `maxRecordBytes` past the point where its block could
 *   have ended (checked as bytes arrive, so an endless field fails early), or the stream ends inside a quoted field.
 */
export async function* recordBlocks(
  source: AsyncIterable<Uint8Array>,
  dialect: CsvDialect,
  opts: RecordBlockOptions = {},
): AsyncGenerator<Buffer> {
  const minBytes = Math.max(1, opts.minBytes ?? 1 << 20);
  const maxRecordBytes = opts.maxRecordBytes ?? 64 << 20;
  const scanner = new BoundaryScanner(dialect, minBytes);
  let pending: Buffer[] = [];
  for await (const piece of withoutUtf8Bom(source, { bytes: 0 })) {
    let from = 0;
    for (const rel of scanner.feed(piece)) {
      pending.push(piece.subarray(from, rel));
      yield join(pending);
      pending = [];
      from = rel;
    }
    if (from < piece.length) pending.push(from === 0 ? piece : piece.subarray(from));
    if (scanner.position - scanner.wantAt > maxRecordBytes) {
      throw new CsvFormatError(
        `a record is longer than the limit of ${maxRecordBytes} bytes (maxRecordBytes); ` +
          `it runs past byte offset ${scanner.position} without ending (an unclosed quote?)`,
      );
    }
  }
  scanner.finish();
  if (pending.length > 0) yield join(pending);
}

function join(parts: Buffer[]): Buffer {
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}
