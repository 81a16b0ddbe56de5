/**
 * Short strings from ASCII/Latin-1 bytes without a TextDecoder call or a subarray allocation: copying the codes
 * into a reused array of the exact length and calling String.fromCharCode.apply is about twice as fast for the
 * few-byte strings of CSV fields.
 */

/** Longest string built through the reused arrays; longer ones use a subarray. */
export const SHORT_STRING = 32;

const codesByLength: number[][] = Array.from({ length: SHORT_STRING + 1 }, (_, n) =>
  new Array<number>(n).fill(0),
);

/** The string whose UTF-16 code units are buf[start, end) (Latin-1 decoding; ASCII when the bytes are < 0x80). */
export function latin1String(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length > SHORT_STRING) {
    return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  const codes = codesByLength[length] as number[];
  for (let k = 0; k < length; k++) codes[k] = buf[start + k] as number;
  return String.fromCharCode.apply(null, codes);
}
