/**
 * How a job's text encoding is handled. Chunks are cut on raw bytes, which only works when record and field
 * separators can never be part of a multibyte character. Input in any other encoding (UTF-16, UTF-32, or a
 * double-byte codec whose trail bytes include the delimiter or quote) is transcoded to UTF-8 once before
 * planning, scored as UTF-8 and written back in the requested encoding, so the output matches one-pass scoring.
 */
import iconv from 'iconv-lite';
import { type CsvDialect, isAsciiCompatible, lowByteIsUnambiguous } from '../../engine/csv/dialect.js';

const UTF8 = 'utf8';

/** Whether input in this dialect must be transcoded to UTF-8 before it can be split into chunks. */
export function needsTranscoding(dialect: CsvDialect): boolean {
  const { encoding, delimiter, quote } = dialect;
  return !(
    isAsciiCompatible(encoding) &&
    lowByteIsUnambiguous(encoding, delimiter) &&
    lowByteIsUnambiguous(encoding, quote)
  );
}

/** The dialect chunks are planned and scored in: the job's own, or its UTF-8 twin when transcoded. */
export function scoringDialect(dialect: CsvDialect, transcoded: boolean): CsvDialect {
  return transcoded ? { ...dialect, encoding: UTF8 } : dialect;
}

/**
 * Scored bytes in the job's output encoding. `atStart` marks the first bytes of the output (the header), which
 * carry the byte order mark a BOM-writing encoder (UTF-16/32) emits once, as one-pass scoring writes it.
 */
export function toOutputEncoding(
  scored: Buffer,
  dialect: CsvDialect,
  transcoded: boolean,
  atStart: boolean,
): Buffer {
  if (!transcoded || dialect.encoding === UTF8) return scored;
  // Default options at the start: iconv-lite's UTF-16/32 encoders add a BOM by default, as one-pass scoring's do.
  return iconv.encode(scored.toString('utf8'), dialect.encoding, atStart ? undefined : { addBOM: false });
}
