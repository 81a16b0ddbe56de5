import { describe, expect, it } from 'vitest';
import { type CsvDialect, resolveDialect } from '../../../../shared/engine/csv/dialect.js';
import {
  CsvEncodingError,
  CsvFormatError,
  FIELD_MALFORMED,
  FIELD_PLAIN,
  FIELD_QUOTED,
  FIELD_QUOTED_ESCAPES,
  fieldText,
  RecordTokenizer,
} from '../../../../shared/engine/csv/record-tokenizer.js';

const comma = resolveDialect();

/** Tokenizes all of `input` (final) into field texts per record, blank lines included. */
function records(input: string | Uint8Array, dialect: CsvDialect = comma): string[][] {
  const buf = typeof input === 'string' ? Buffer.from(input) : input;
  const t = new RecordTokenizer(dialect);
  const out: string[][] = [];
  for (let pos = 0; pos < buf.length; ) {
    pos = t.next(buf, pos, buf.length, true);
    out.push(Array.from({ length: t.fieldCount }, (_, i) => fieldText(buf, t, i)));
  }
  return out;
}

describe('RecordTokenizer', () => {
  it('splits plain records ending in LF, CRLF, a lone CR or nothing', () => {
    expect(records('a,b\nc,d\r\ne,f\rg,h')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(records(',a,,\n,\n')).toEqual([
      ['', 'a', '', ''],
      ['', ''],
    ]);
  });

  it('returns a blank line as one empty field', () => {
    const buf = Buffer.from('a\n\nb\n');
    const t = new RecordTokenizer(comma);
    expect(t.next(buf, 2, buf.length, true)).toBe(3);
    expect(t.fieldCount).toBe(1);
    expect([t.starts[0], t.ends[0], t.recordStart, t.recordEnd]).toEqual([2, 2, 2, 2]);
  });

  it('reads quoted fields holding delimiters, LF, CRLF and escaped quotes', () => {
    const input = '"a,b","line1\nline2","crlf\r\nend","say ""hi""",""\n';
    expect(records(input)).toEqual([['a,b', 'line1\nline2', 'crlf\r\nend', 'say "hi"', '']]);
    const t = new RecordTokenizer(comma);
    t.next(Buffer.from(input), 0, input.length, true);
    expect(Array.from(t.kinds.subarray(0, 5))).toEqual([
      FIELD_QUOTED,
      FIELD_QUOTED,
      FIELD_QUOTED,
      FIELD_QUOTED_ESCAPES,
      FIELD_QUOTED,
    ]);
  });

  it('treats a quote inside an unquoted field as a literal character', () => {
    expect(records('ab"c,d"\n')).toEqual([['ab"c', 'd"']]);
  });

  it('marks text after a closing quote as FIELD_MALFORMED and goes on with the record', () => {
    const buf = Buffer.from('"ab"cd,e\nf\n');
    const t = new RecordTokenizer(comma);
    expect(t.next(buf, 0, buf.length, true)).toBe(9);
    expect(t.fieldCount).toBe(2);
    expect(t.kinds[0]).toBe(FIELD_MALFORMED);
    expect(buf.toString('utf8', t.starts[0], t.ends[0])).toBe('"ab"cd');
    expect(t.kinds[1]).toBe(FIELD_PLAIN);
  });

  it('gives raw offsets that reproduce each field verbatim', () => {
    const input = 'x,"a ""q"" b",,"c"\n';
    const buf = Buffer.from(input);
    const t = new RecordTokenizer(comma);
    t.next(buf, 0, buf.length, true);
    const raws = Array.from({ length: t.fieldCount }, (_, i) =>
      buf.toString('utf8', t.rawStarts[i], t.rawEnds[i]),
    );
    expect(raws.join(',')).toBe(input.slice(0, -1));
    expect([t.recordStart, t.recordEnd]).toEqual([0, input.length - 1]);
  });

  it('asks for more bytes (-1) when a record is cut off and the input is not final', () => {
    const t = new RecordTokenizer(comma);
    for (const partial of ['a,b', '"a\n', 'a,"b"', 'a\r', '"x""']) {
      const buf = Buffer.from(partial);
      expect(t.next(buf, 0, buf.length, false)).toBe(-1);
    }
    const buf = Buffer.from('a\r\nb');
    expect(t.next(buf, 0, buf.length, false)).toBe(3);
  });

  it('throws CsvFormatError naming the offset of an unterminated quote at the end of the input', () => {
    const buf = Buffer.from('a,b\nc,"open\n');
    const t = new RecordTokenizer(comma);
    t.baseOffset = 100;
    expect(t.next(buf, 0, buf.length, true)).toBe(4);
    expect(() => t.next(buf, 4, buf.length, true)).toThrow(CsvFormatError);
    expect(() => t.next(buf, 4, buf.length, true)).toThrow(/byte offset 106/);
  });

  it('handles a 10,000-column record', () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? `"q${i}"` : `v${i}`));
    const buf = Buffer.from(`${fields.join(',')}\n`);
    const t = new RecordTokenizer(comma);
    expect(t.next(buf, 0, buf.length, true)).toBe(buf.length);
    expect(t.fieldCount).toBe(10_000);
    expect(fieldText(buf, t, 9_999)).toBe('q9999');
    expect(fieldText(buf, t, 5_000)).toBe('v5000');
  });

  it('follows the dialect: tab delimiter and single-quote quotechar', () => {
    const dialect = resolveDialect({ delimiter: 'tab', quotechar: "'" });
    expect(records("a\t'b\tc'\t'it''s'\t\"d\"\n", dialect)).toEqual([['a', 'b\tc', "it's", '"d"']]);
    expect(records('a;"b;c"\n', resolveDialect({ delimiter: ';' }))).toEqual([['a', 'b;c']]);
  });
});

describe('fieldText', () => {
  it('decodes multibyte UTF-8, short and long', () => {
    const long = 'été '.repeat(40);
    expect(records(`ü,"日本",${long}\n`)).toEqual([['ü', '日本', long]]);
  });

  it('throws CsvEncodingError on invalid UTF-8', () => {
    const buf = Buffer.from([0x61, 0x2c, 0xe9, 0x74, 0xe9, 0x0a]); // "a,été" in latin-1
    const t = new RecordTokenizer(comma);
    t.next(buf, 0, buf.length, true);
    expect(fieldText(buf, t, 0)).toBe('a');
    expect(() => fieldText(buf, t, 1)).toThrow(CsvEncodingError);
  });
});
