import { describe, expect, it } from 'vitest';
import { NumberParser } from '../../../../shared/engine/csv/parse-number.js';
import { createRng } from '../../../support/onnx-factory.js';

/** Uniform [0, 1) draws from the shared seeded PRNG, so a failure reproduces. */
const mulberry32 = (seed: number): (() => number) => createRng(seed).next;

const parser = new NumberParser();

function parse(text: string): { value: number; ok: boolean } {
  const buf = Buffer.from(`#${text}#`); // offsets inside a larger buffer, as in a record
  const value = parser.parse(buf, 1, buf.length - 1);
  return { value, ok: parser.ok };
}

describe('NumberParser', () => {
  it.each([
    '1.7999999523162842',
    '0.1',
    '1e-7',
    '123456789012345678',
    '-0',
    '1E+300',
    '4.9e-324',
    '2.2250738585072014e-308',
    '1.7976931348623157e308',
    '9007199254740993',
    '0.30000000000000004',
    '3.14159',
    '-42',
    '+7.5',
    '.5',
    '5.',
    '1e23',
    '12e30',
    '999999999999999e22',
    '8.5e23',
    '123456789012e20',
    '0.000001',
    '1e-400',
    '1e400',
    '00012.50',
    '-0.0',
    '1234567890123456789012345678901234567890',
  ])('parses %s exactly like Number()', (text) => {
    const { value, ok } = parse(text);
    expect(ok).toBe(true);
    expect(Object.is(value, Number(text))).toBe(true);
  });

  it('allows surrounding spaces and tabs', () => {
    expect(parse('  12.5\t ')).toEqual({ value: 12.5, ok: true });
  });

  it.each(['', '   ', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', 'n/a', '#N/A', '-NaN', ' NA '])(
    'reads missing-value token %j as NaN with ok',
    (text) => {
      const { value, ok } = parse(text);
      expect(ok).toBe(true);
      expect(value).toBeNaN();
    },
  );

  it.each([
    ['inf', Number.POSITIVE_INFINITY],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['+inf', Number.POSITIVE_INFINITY],
    ['-inf', Number.NEGATIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('reads %s as an infinity', (text, expected) => {
    expect(parse(text)).toEqual({ value: expected, ok: true });
  });

  it.each([
    'abc',
    '1.2.3',
    '1e',
    '1e+',
    '-',
    '.',
    '+',
    '0x1F',
    '1_000',
    '1,5',
    '12abc',
    'e5',
    '--1',
    'infinite',
  ])('rejects %j with ok=false', (text) => {
    const { value, ok } = parse(text);
    expect(ok).toBe(false);
    expect(value).toBeNaN();
  });

  it('resets ok on the next parse', () => {
    parse('junk');
    expect(parse('1').ok).toBe(true);
  });

  it('round-trips random doubles printed with toString and toPrecision(17) bit-exactly', () => {
    const random = mulberry32(20240607);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const texts: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      words[0] = (random() * 2 ** 32) >>> 0;
      words[1] = (random() * 2 ** 32) >>> 0;
      const fromBits = bits[0] as number;
      const scaled = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      const float32 = Math.fround(random() * 100);
      for (const n of [fromBits, scaled, float32]) {
        if (!Number.isFinite(n)) continue;
        texts.push(String(n), n.toPrecision(17), n.toPrecision(1 + Math.floor(random() * 16)));
      }
    }
    const mismatches = texts.filter((text) => !Object.is(parse(text).value, Number(text)));
    expect(mismatches).toEqual([]);
    expect(texts.length).toBeGreaterThan(150_000);
  });
});
