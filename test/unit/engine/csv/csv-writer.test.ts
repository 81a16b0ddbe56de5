import { describe, expect, it } from 'vitest';
import { CsvWriter } from '../../../../shared/engine/csv/csv-writer.js';
import { resolveDialect } from '../../../../shared/engine/csv/dialect.js';
import { fieldText, RecordTokenizer } from '../../../../shared/engine/csv/record-tokenizer.js';

const comma = resolveDialect();

function written(write: (w: CsvWriter) => void, dialect = comma): string {
  const w = new CsvWriter(dialect, 4); // tiny start: every test also exercises growth
  write(w);
  return w.take().toString('utf8');
}

describe('CsvWriter', () => {
  it('writes plain fields separated by the delimiter, records ended by LF', () => {
    expect(
      written((w) => {
        w.text('a');
        w.empty();
        w.text('b');
        w.endRecord();
        w.text('c');
        w.endRecord();
      }),
    ).toBe('a,,b\nc\n');
  });

  it.each([
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rhere', '"cr\rhere"'],
    [' lead', '" lead"'],
    ['trail ', '"trail "'],
    ['in side', 'in side'],
    ['日本語', '日本語'],
    ['日本, "語"', '"日本, ""語"""'],
  ])('writes %j as %s', (value, expected) => {
    expect(written((w) => w.text(value))).toBe(expected);
  });

  it('quotes long values the same way as short ones', () => {
    const long = `${'x'.repeat(200)},"é"`;
    expect(written((w) => w.text(long))).toBe(`"${long.replaceAll('"', '""')}"`);
  });

  it('writes a record of one empty field as "" so it is not read back as a blank line', () => {
    expect(
      written((w) => {
        w.text('');
        w.endRecord();
        w.empty();
        w.empty();
        w.endRecord();
      }),
    ).toBe('""\n,\n');
  });

  it('writes numbers as String(n), NaN as empty and infinities as inf', () => {
    const values = [
      0, -0, 7, -2147483648, 2147483647, 4294967296, 0.1, 1.7999999523162842, 1e21, 1e-7, -1.5e300,
    ];
    const out = written((w) => {
      for (const v of values) w.number(v);
      w.number(Number.NaN);
      w.number(Number.POSITIVE_INFINITY);
      w.number(Number.NEGATIVE_INFINITY);
    });
    expect(out).toBe(`${values.map(String).join(',')},,inf,-inf`);
  });

  it('quotes numbers when the delimiter could appear in them', () => {
    const dotted = resolveDialect({ delimiter: '.' });
    expect(
      written((w) => {
        w.number(1.5);
        w.number(2);
      }, dotted),
    ).toBe('"1.5".2');
  });

  it('copies raw bytes verbatim', () => {
    const src = Buffer.from('xx"a,b"yy');
    expect(
      written((w) => {
        w.text('k');
        w.raw(src, 2, 7);
      }),
    ).toBe('k,"a,b"');
  });

  it('take() hands out separate buffers and restarts', () => {
    const w = new CsvWriter(comma);
    w.text('first');
    w.endRecord();
    const a = w.take();
    w.text('second');
    w.endRecord();
    expect(w.length).toBe(7);
    const b = w.take();
    expect([a.toString(), b.toString(), w.length]).toEqual(['first\n', 'second\n', 0]);
  });

  it('round-trips: re-tokenized output gives back the same texts', () => {
    const dialect = resolveDialect({ delimiter: ';', quotechar: "'" });
    const rows = [
      ['plain', "it's", 'semi;colon', 'multi\r\nline', ' spaced ', '', 'ünï', "''", '"'],
      ['', 'x'],
      [''],
    ];
    const w = new CsvWriter(dialect);
    for (const row of rows) {
      for (const value of row) w.text(value);
      w.endRecord();
    }
    const buf = w.take();
    const t = new RecordTokenizer(dialect);
    const back: string[][] = [];
    for (let pos = 0; pos < buf.length; ) {
      pos = t.next(buf, pos, buf.length, true);
      back.push(Array.from({ length: t.fieldCount }, (_, i) => fieldText(buf, t, i)));
    }
    expect(back).toEqual(rows);
  });
});
