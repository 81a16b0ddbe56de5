/**
 * Quote-aware search for record boundaries in a CSV byte stream, fed piece by piece. Only quotes change the
 * state, and a quote only opens a quoted field at the start of a field (the byte before it is a delimiter, CR, LF
 * or the stream start), so quote-free stretches are skipped with memchr (Buffer.indexOf); newlines are looked
 * for only where a boundary is wanted.
 */
import type { CsvDialect } from './dialect.js';
import { CsvFormatError } from './errors.js';

const LF = 0x0a;
const CR = 0x0d;

const UNQUOTED = 0;
const QUOTED = 1;
/** The piece ended on a quote inside a quoted field: the next byte decides between `""` and a closing quote. */
const QUOTE_AT_PIECE_END = 2;

/** Quotes nearer than this are found with a JS loop: for dense quoting (QUOTE_ALL files) it beats memchr calls. */
const SHORT_SCAN = 24;

/**
 * Finds record boundaries (offsets just past a `\n`, `\r\n` or lone `\r` outside quoted fields), exactly where
 * RecordTokenizer ends records. To stay fast it reports only some of them: the first boundary at or after
 * `wantAt`, after which `wantAt` moves `stride` bytes past that boundary.
 *
 * @example
 * const scanner = new BoundaryScanner(dialect, 1 << 20, 0); // the header's end, then one boundary per MiB
 * for (const piece of pieces) for (const rel of scanner.feed(piece)) boundaries.push(scanner.position - piece.length + rel);
 * scanner.finish();
 */
export class BoundaryScanner {
  /** Bytes fed so far: the stream offset of the next piece. */
  position = 0;
  /** Stream offset the next reported boundary must reach. */
  wantAt: number;

  private state = UNQUOTED;
  /** Last byte of the previous piece; LF at the stream start, where a field starts too. */
  private previousByte = LF;
  /** The previous piece ended with a wanted CR: the next byte tells whether the terminator is CR or CRLF. */
  private crAtPieceEnd = false;
  private openQuoteAt = -1;
  private readonly delimiter: number;
  private readonly quote: number;

  /**
   * @param stride minimum distance between reported boundaries (>= 1)
   * @param firstWantAt stream offset the first reported boundary must reach (0: the first record's end)
   */
  constructor(
    dialect: CsvDialect,
    readonly stride: number,
    firstWantAt = stride,
  ) {
    if (!(stride >= 1)) throw new RangeError(`stride must be >= 1, got ${stride}`);
    this.delimiter = dialect.delimiter;
    this.quote = dialect.quote;
    this.wantAt = firstWantAt;
  }

  /**
   * Scans the next piece of the stream.
   *
   * @returns offsets relative to this piece of the boundaries reported in it, ascending (0 means the boundary
   *   falls exactly between the previous piece and this one)
   */
  feed(piece: Buffer): number[] {
    const found: number[] = [];
    const n = piece.length;
    if (n === 0) return found;
    const base = this.position;
    let i = 0;
    if (this.crAtPieceEnd) {
      this.crAtPieceEnd = false;
      const end = piece[0] === LF ? 1 : 0;
      this.report(found, base, end);
      i = end;
    } else if (this.state === QUOTE_AT_PIECE_END) {
      if (piece[0] === this.quote) {
        this.state = QUOTED;
        i = 1;
      } else {
        this.state = UNQUOTED;
      }
    }
    while (i < n) {
      if (this.state === QUOTED) {
        const q = this.nextQuote(piece, i);
        if (q < 0) break;
        if (q + 1 === n) {
          this.state = QUOTE_AT_PIECE_END;
          break;
        }
        if (piece[q + 1] === this.quote) {
          i = q + 2;
        } else {
          this.state = UNQUOTED;
          i = q + 1;
        }
        continue;
      }
      const open = this.nextOpeningQuote(piece, i);
      const regionEnd = open < 0 ? n : open;
      i = this.reportTerminators(piece, base, i, regionEnd, found);
      if (this.crAtPieceEnd || open < 0) break;
      this.state = QUOTED;
      this.openQuoteAt = base + open;
      i = open + 1;
    }
    this.previousByte = piece[n - 1] as number;
    this.position = base + n;
    return found;
  }

  /**
   * Declares the end of the stream.
   *
   * @throws CsvFormatError when a quoted field is still open.
   */
  finish(): void {
    if (this.state === QUOTED) {
      throw new CsvFormatError(
        `unterminated quoted field: the quote at byte offset ${this.openQuoteAt} is never closed`,
      );
    }
  }

  /** Reports the wanted terminators in the quote-free region [from, regionEnd); returns where scanning goes on. */
  private reportTerminators(
    piece: Buffer,
    base: number,
    from: number,
    regionEnd: number,
    found: number[],
  ): number {
    for (;;) {
      // a terminator byte at p ends at p + 1 (or p + 2 for CRLF), so p >= wantAt - 1 can qualify
      const start = Math.max(from, this.wantAt - 1 - base);
      if (start >= regionEnd) return regionEnd;
      const p = firstNewline(piece, start, regionEnd);
      if (p < 0) return regionEnd;
      let end = p + 1;
      if (piece[p] === CR) {
        if (end === piece.length) {
          this.crAtPieceEnd = true;
          return end;
        }
        if (piece[end] === LF) end++;
      }
      this.report(found, base, end);
      from = end;
    }
  }

  private report(found: number[], base: number, end: number): void {
    found.push(end);
    this.wantAt = base + end + this.stride;
  }

  private nextQuote(piece: Buffer, from: number): number {
    const quote = this.quote;
    const stop = Math.min(piece.length, from + SHORT_SCAN);
    for (let i = from; i < stop; i++) if (piece[i] === quote) return i;
    return stop === piece.length ? -1 : piece.indexOf(quote, stop);
  }

  /** The next quote at a field start (quotes elsewhere in an unquoted field are literal characters). */
  private nextOpeningQuote(piece: Buffer, from: number): number {
    for (let q = this.nextQuote(piece, from); q >= 0; q = this.nextQuote(piece, q + 1)) {
      const before = q === 0 ? this.previousByte : (piece[q - 1] as number);
      if (before === this.delimiter || before === LF || before === CR) return q;
    }
    return -1;
  }
}

/** The first CR or LF in piece[from, to), or -1. */
function firstNewline(piece: Buffer, from: number, to: number): number {
  let lf = piece.indexOf(LF, from);
  if (lf < 0 || lf >= to) lf = to;
  // CRs are rare; look for one only up to the LF
  const limit = Math.min(lf, from + SHORT_SCAN * 4);
  for (let i = from; i < limit; i++) if (piece[i] === CR) return i;
  if (limit < lf) {
    // bounded search: an unbounded one could rescan the rest of the piece for every region
    const cr = piece.subarray(limit, lf).indexOf(CR);
    if (cr >= 0) return limit + cr;
  }
  return lf < to ? lf : -1;
}
