/**
 * Record tokenizer: splits one CSV record of a UTF-8 (or other ASCII-compatible) byte buffer into field offsets,
 * without creating strings. Python-csv-like dialect: a quote opens a quoted field only at the start of a field;
 * inside it `""` is an escaped quote and delimiters, CR and LF are data; elsewhere a quote is a literal character.
 * Records end at `\n`, `\r\n` or a lone `\r`.
 */
import { latin1String, SHORT_STRING } from './ascii-string.js';
import type { CsvDialect } from './dialect.js';
import { CsvEncodingError, CsvFormatError } from './errors.js';

export { CsvEncodingError, CsvFormatError } from './errors.js';

/** An unquoted field. */
export const FIELD_PLAIN = 0;
/** A quoted field without escaped quotes: its content bytes are the text. */
export const FIELD_QUOTED = 1;
/** A quoted field containing `""` escapes, which {@link fieldText} turns into single quotes. */
export const FIELD_QUOTED_ESCAPES = 2;
/**
 * A quoted field followed by more text before the next delimiter (`"ab"cd`). Its content offsets span the raw
 * field, quotes included; the caller fails the row rather than guessing what was meant.
 */
export const FIELD_MALFORMED = 3;

const LF = 0x0a;
const CR = 0x0d;
const INITIAL_FIELDS = 64;

/**
 * Tokenizes records one at a time into reusable offset arrays (no allocation per record once the arrays have
 * grown to the widest record).
 *
 * A blank line is a record of one empty field (fieldCount 1, starts[0] === ends[0]); callers skip blank lines.
 */
export class RecordTokenizer {
  /** Number of fields of the last record tokenized. */
  fieldCount = 0;
  /** Content offsets of field i (quotes excluded). */
  starts: Int32Array = new Int32Array(INITIAL_FIELDS);
  ends: Int32Array = new Int32Array(INITIAL_FIELDS);
  /** FIELD_* kind of field i. */
  kinds: Uint8Array = new Uint8Array(INITIAL_FIELDS);
  /** Raw offsets of field i, quotes included: copying rawStarts..rawEnds reproduces the field verbatim. */
  rawStarts: Int32Array = new Int32Array(INITIAL_FIELDS);
  rawEnds: Int32Array = new Int32Array(INITIAL_FIELDS);
  /** Raw bytes of the last record, terminator excluded. */
  recordStart = 0;
  recordEnd = 0;
  /** Added to buffer offsets in error messages, so they name the position in the whole input. */
  baseOffset = 0;

  constructor(readonly dialect: CsvDialect) {}

  /**
   * Tokenizes the record starting at `pos` (call with pos < end).
   *
   * @returns the offset just past the record's terminator, or -1 when `buf` ends before the record does and
   *   !isFinal (call again with more bytes from the same pos). With isFinal a last record without terminator is
   *   complete at `end`.
   * @throws CsvFormatError when isFinal and a quoted field is still open at `end`.
   */
  next(buf: Uint8Array, pos: number, end: number, isFinal: boolean): number {
    const { delimiter, quote } = this.dialect;
    this.recordStart = pos;
    let n = 0;
    let i = pos;
    for (;;) {
      if (n === this.kinds.length) this.grow();
      const fieldStart = i;
      let contentStart = i;
      let contentEnd: number;
      let kind = FIELD_PLAIN;
      if (i < end && buf[i] === quote) {
        kind = FIELD_QUOTED;
        contentStart = ++i;
        for (;;) {
          if (i >= end) {
            if (!isFinal) return -1;
            throw this.unterminated(fieldStart);
          }
          if (buf[i] !== quote) {
            i++;
          } else if (i + 1 >= end && !isFinal) {
            return -1; // the next byte decides between an escaped and a closing quote
          } else if (i + 1 < end && buf[i + 1] === quote) {
            kind = FIELD_QUOTED_ESCAPES;
            i += 2;
          } else {
            break;
          }
        }
        contentEnd = i++;
        const after = fieldEnd(buf, i, end, delimiter);
        if (after !== i) {
          kind = FIELD_MALFORMED;
          contentStart = fieldStart;
          contentEnd = after;
          i = after;
        }
      } else {
        i = fieldEnd(buf, i, end, delimiter);
        contentEnd = i;
      }
      this.starts[n] = contentStart;
      this.ends[n] = contentEnd;
      this.kinds[n] = kind;
      this.rawStarts[n] = fieldStart;
      this.rawEnds[n] = i;
      n++;
      if (i >= end) {
        if (!isFinal) return -1;
        this.fieldCount = n;
        this.recordEnd = end;
        return end;
      }
      const b = buf[i];
      if (b === delimiter) {
        i++;
        continue;
      }
      this.fieldCount = n;
      this.recordEnd = i;
      if (b === LF) return i + 1;
      if (i + 1 < end) return buf[i + 1] === LF ? i + 2 : i + 1;
      return isFinal ? i + 1 : -1; // a CR at the end of the bytes may be the first half of CRLF
    }
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    this.starts = grownInt32(this.starts, size);
    this.ends = grownInt32(this.ends, size);
    this.rawStarts = grownInt32(this.rawStarts, size);
    this.rawEnds = grownInt32(this.rawEnds, size);
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    this.kinds = kinds;
  }

  private unterminated(fieldStart: number): CsvFormatError {
    return new CsvFormatError(
      `unterminated quoted field: the quote at byte offset ${this.baseOffset + fieldStart} is never closed`,
    );
  }
}

/** The first delimiter, CR or LF at or after i, or end. */
function fieldEnd(buf: Uint8Array, i: number, end: number, delimiter: number): number {
  for (; i < end; i++) {
    const b = buf[i];
    if (b === delimiter || b === LF || b === CR) return i;
  }
  return end;
}

function grownInt32(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  // short pure-ASCII fields skip TextDecoder, whose per-call overhead dominates for a few bytes
  if (end - start <= SHORT_STRING) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((buf[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return latin1String(buf, start, end);
  }
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw new CsvEncodingError(
      `invalid UTF-8 in the field at byte offset ${start}: check csvSettings.encoding matches the file`,
    );
  }
}

/**
 * The text of field i of the last record tokenized by `t` over `buf`, with `""` escapes undone.
 *
 * @throws CsvEncodingError when the field's bytes are not valid UTF-8.
 */
export function fieldText(buf: Uint8Array, t: RecordTokenizer, i: number): string {
  const text = decodeUtf8(buf, t.starts[i] as number, t.ends[i] as number);
  if (t.kinds[i] !== FIELD_QUOTED_ESCAPES) return text;
  const q = String.fromCharCode(t.dialect.quote);
  return text.replaceAll(q + q, q);
}
