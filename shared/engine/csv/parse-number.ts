/**
 * Number parsing straight from field bytes, correctly rounded: Clinger's fast path when the decimal mantissa and
 * the power of ten are both exact doubles (one IEEE operation rounds correctly), otherwise the validated literal
 * goes through Number(), which is correctly rounded too.
 */
import { latin1String } from './ascii-string.js';

const SPACE = 0x20;
const TAB = 0x09;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** 10^0 .. 10^22: the powers of ten that are exact doubles. */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Mantissas of up to 15 significant digits are below 2^53, so exact. */
const MAX_FAST_DIGITS = 15;
/** Longer literals cannot be a special token; also keeps garbage from building big strings. */
const MAX_TOKEN_LENGTH = 16;

/** Missing-value tokens (pandas' defaults plus Python's nan spellings), compared lower-cased. */
const MISSING = new Set([
  'na',
  'n/a',
  'nan',
  '-nan',
  '+nan',
  'null',
  'none',
  '#n/a',
  '#n/a n/a',
  '#na',
  '<na>',
  '-1.#ind',
  '-1.#qnan',
  '1.#ind',
  '1.#qnan',
]);
const INFINITIES = new Map([
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['infinity', Number.POSITIVE_INFINITY],
  ['+infinity', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
  ['-infinity', Number.NEGATIVE_INFINITY],
]);

/**
 * Parses numeric CSV fields. Accepts what Number() accepts for decimal literals (optional sign, digits with an
 * optional `.`, optional exponent; `1.` and `.5` too), surrounded by optional spaces or tabs; hex/binary/octal
 * literals and digit separators are not numbers here (as in Python's float()).
 */
export class NumberParser {
  /** False after the last parse() met a field that is neither a number nor a missing-value token. */
  ok = true;

  /**
   * Parses buf[start, end) as a float64, bit-identical to Number(text). Empty fields and missing-value tokens
   * (NA, N/A, NaN, nan, null, NULL, None, n/a, #N/A, -NaN, ...; case-insensitive) give NaN with ok=true;
   * inf/Infinity (any case, signed) give ±Infinity; anything else gives NaN with ok=false.
   */
  parse(buf: Uint8Array, start: number, end: number): number {
    while (start < end && (buf[start] === SPACE || buf[start] === TAB)) start++;
    while (end > start && (buf[end - 1] === SPACE || buf[end - 1] === TAB)) end--;
    this.ok = true;
    if (start === end) return Number.NaN;

    let i = start;
    let negative = false;
    const first = buf[i];
    if (first === MINUS) {
      negative = true;
      i++;
    } else if (first === PLUS) {
      i++;
    }
    let mantissa = 0;
    let significant = 0;
    let anyDigit = false;
    let exponent = 0;
    for (; i < end; i++) {
      const d = (buf[i] as number) - ZERO;
      if (d < 0 || d > 9) break;
      anyDigit = true;
      if (significant > 0 || d !== 0) significant++;
      mantissa = mantissa * 10 + d;
    }
    if (i < end && buf[i] === DOT) {
      for (i++; i < end; i++) {
        const d = (buf[i] as number) - ZERO;
        if (d < 0 || d > 9) break;
        anyDigit = true;
        if (significant > 0 || d !== 0) significant++;
        mantissa = mantissa * 10 + d;
        exponent--;
      }
    }
    if (anyDigit && i < end && (buf[i] === LOWER_E || buf[i] === UPPER_E)) {
      i++;
      let expNegative = false;
      if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) expNegative = buf[i++] === MINUS;
      const digitsFrom = i;
      let explicit = 0;
      for (; i < end; i++) {
        const d = (buf[i] as number) - ZERO;
        if (d < 0 || d > 9) break;
        if (explicit < 1e6) explicit = explicit * 10 + d; // beyond this every double over/underflows anyway
      }
      if (i === digitsFrom) return this.special(buf, start, end);
      exponent += expNegative ? -explicit : explicit;
    }
    if (!anyDigit || i !== end) return this.special(buf, start, end);

    if (mantissa === 0) return negative ? -0 : 0;
    if (significant <= MAX_FAST_DIGITS) {
      let value: number | undefined;
      if (exponent >= 0 && exponent <= 22) value = mantissa * (POW10[exponent] as number);
      else if (exponent < 0 && exponent >= -22) value = mantissa / (POW10[-exponent] as number);
      else if (exponent > 22 && exponent - 22 <= MAX_FAST_DIGITS - significant) {
        // mantissa * 10^(exponent-22) still has <= 15 digits, so it is exact and one rounding remains
        value = mantissa * (POW10[exponent - 22] as number) * 1e22;
      }
      if (value !== undefined) return negative ? -value : value;
    }
    return Number(latin1String(buf, start, end));
  }

  private special(buf: Uint8Array, start: number, end: number): number {
    if (end - start <= MAX_TOKEN_LENGTH) {
      const token = latin1String(buf, start, end).toLowerCase();
      if (MISSING.has(token)) return Number.NaN;
      const infinity = INFINITIES.get(token);
      if (infinity !== undefined) return infinity;
    }
    this.ok = false;
    return Number.NaN;
  }
}
