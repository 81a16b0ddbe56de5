/**
 * CSV output buffer: appends fields straight into a growing byte array, quoting only when needed (the
 * delimiter, the quote, CR or LF inside, or a leading/trailing space), quotes doubled inside quoted fields.
 */
import type { CsvDialect } from './dialect.js';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const MINUS = 0x2d;
const ZERO = 0x30;
/** Characters String(n) can produce for a finite double. */
const NUMBER_CHARS = '0123456789.-+e';
/** Below this length a JS byte loop beats the call into TextEncoder. */
const SHORT_TEXT = 64;

const encoder = new TextEncoder();

/**
 * Builds CSV output records. Numbers are written as JavaScript's shortest round-trip decimal (String(n)): the
 * same digits as Python's repr(float), but integral values have no `.0` (`3` not `3.0`), and the exponent form
 * starts at 1e21 / below 1e-6 and has no zero padding (`1e-7` not `1e-07`). Infinities are written `inf` / `-inf`
 * as Python and pandas write them, -0 as `0`.
 */
export class CsvWriter {
  private buf: Uint8Array;
  private pos = 0;
  private fieldsInRecord = 0;
  private recordStart = 0;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly quoteText: string;
  /** True when the delimiter or quote could appear in a formatted number, so numbers must go through text(). */
  private readonly numbersNeedQuoting: boolean;

  constructor(dialect: CsvDialect, initialBytes = 64 * 1024) {
    this.delimiter = dialect.delimiter;
    this.quote = dialect.quote;
    this.quoteText = String.fromCharCode(dialect.quote);
    this.numbersNeedQuoting =
      NUMBER_CHARS.includes(String.fromCharCode(dialect.delimiter)) || NUMBER_CHARS.includes(this.quoteText);
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.pos;
  }

  /** Starts a new field holding `s`, quoted when it contains the delimiter, the quote, CR or LF or starts or ends with a space. */
  text(s: string): void {
    const short = s.length <= SHORT_TEXT;
    // short: worst case 3 bytes per UTF-16 unit (a doubled quote takes 2) plus the two quotes
    this.reserve(short ? 3 * s.length + 2 : 0);
    this.separate();
    if (short && this.writePlainAscii(s)) return;
    const quoted = this.needsQuoting(s);
    const q = this.quoteText;
    const body = quoted && s.includes(q) ? s.replaceAll(q, q + q) : s;
    if (!short) this.reserve(Buffer.byteLength(body) + 2);
    if (quoted) this.buf[this.pos++] = this.quote;
    this.writeUtf8(body);
    if (quoted) this.buf[this.pos++] = this.quote;
  }

  /** Starts a new field copied verbatim from buf[start, end) (bytes already valid in this dialect). */
  raw(buf: Uint8Array, start: number, end: number): void {
    this.reserve(end - start + 1);
    this.separate();
    this.buf.set(buf.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  /** Starts a new field holding n: NaN as an empty field, otherwise String(n) digits (see the class notes). */
  number(n: number): void {
    if (Number.isNaN(n)) {
      this.empty();
      return;
    }
    if ((n | 0) === n && !this.numbersNeedQuoting) {
      this.writeInt32(n);
      return;
    }
    let s: string;
    if (n === Number.POSITIVE_INFINITY) s = 'inf';
    else if (n === Number.NEGATIVE_INFINITY) s = '-inf';
    else s = String(n);
    if (this.numbersNeedQuoting) {
      this.text(s);
      return;
    }
    this.reserve(s.length + 1);
    this.separate();
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < s.length; k++) buf[p++] = s.charCodeAt(k);
    this.pos = p;
  }

  /** Starts an empty field. */
  empty(): void {
    this.reserve(1);
    this.separate();
  }

  /**
   * Ends the record with `\n`. A record whose bytes would be empty (one empty field) is written as `""`, as
   * Python's csv.writer does, so that readers do not take it for a blank line and skip it.
   */
  endRecord(): void {
    this.reserve(3);
    if (this.pos === this.recordStart) {
      this.buf[this.pos++] = this.quote;
      this.buf[this.pos++] = this.quote;
    }
    this.buf[this.pos++] = LF;
    this.fieldsInRecord = 0;
    this.recordStart = this.pos;
  }

  /** Returns the bytes written since the last take() as a Buffer of its own, and empties the writer. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    this.recordStart -= this.pos;
    this.pos = 0;
    return out;
  }

  private separate(): void {
    if (this.fieldsInRecord++ > 0) this.buf[this.pos++] = this.delimiter;
  }

  /** Writes s if it is ASCII needing no quotes, else returns false having written nothing. */
  private writePlainAscii(s: string): boolean {
    const len = s.length;
    if (len > 0 && (s.charCodeAt(0) === SPACE || s.charCodeAt(len - 1) === SPACE)) return false;
    const buf = this.buf;
    const delimiter = this.delimiter;
    const quote = this.quote;
    let p = this.pos;
    for (let k = 0; k < len; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80 || c === delimiter || c === quote || c === LF || c === CR) return false;
      buf[p++] = c;
    }
    this.pos = p;
    return true;
  }

  private needsQuoting(s: string): boolean {
    const len = s.length;
    if (len === 0) return false;
    if (s.charCodeAt(0) === SPACE || s.charCodeAt(len - 1) === SPACE) return true;
    for (let k = 0; k < len; k++) {
      const c = s.charCodeAt(k);
      if (c === this.delimiter || c === this.quote || c === LF || c === CR) return true;
    }
    return false;
  }

  private writeUtf8(s: string): void {
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  private writeInt32(n: number): void {
    this.reserve(12);
    this.separate();
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = MINUS;
      if (n === -2147483648) {
        // its magnitude does not fit an int32
        for (const c of '2147483648') buf[this.pos++] = c.charCodeAt(0);
        return;
      }
      n = -n;
    }
    let digits = 1;
    for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = (n / 10) | 0;
      buf[--p] = ZERO + n - q * 10;
      n = q;
    } while (n > 0);
  }

  private reserve(bytes: number): void {
    // +1 for the delimiter that separate() may add
    const needed = this.pos + bytes + 1;
    if (needed <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}
