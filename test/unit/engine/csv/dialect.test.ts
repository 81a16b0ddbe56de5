import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../shared/domain/errors.js';
import {
  CsvSettingsError,
  isAsciiCompatible,
  isUtf8,
  lowByteIsUnambiguous,
  resolveDialect,
} from '../../../../shared/engine/csv/dialect.js';

function settingsError(settings: Parameters<typeof resolveDialect>[0]): CsvSettingsError {
  try {
    resolveDialect(settings);
  } catch (err) {
    if (err instanceof CsvSettingsError) return err;
    throw err;
  }
  throw new Error('expected a CsvSettingsError');
}

describe('resolveDialect', () => {
  it('defaults to comma, double quote and UTF-8', () => {
    expect(resolveDialect()).toEqual({ delimiter: 0x2c, quote: 0x22, encoding: 'utf8' });
    expect(resolveDialect({})).toEqual({ delimiter: 0x2c, quote: 0x22, encoding: 'utf8' });
  });

  it('accepts "tab" in any case as the delimiter, and a literal tab', () => {
    expect(resolveDialect({ delimiter: 'tab' }).delimiter).toBe(9);
    expect(resolveDialect({ delimiter: 'TAB' }).delimiter).toBe(9);
    expect(resolveDialect({ delimiter: '\t' }).delimiter).toBe(9);
  });

  it('accepts a semicolon delimiter and a single-quote quotechar', () => {
    expect(resolveDialect({ delimiter: ';', quotechar: "'" })).toMatchObject({
      delimiter: 0x3b,
      quote: 0x27,
    });
  });

  it.each([
    ['utf-8', 'utf8'],
    ['UTF_8', 'utf8'],
    ['utf-8-sig', 'utf8'],
    ['latin_1', 'latin1'],
    ['latin-1', 'latin1'],
    ['iso-8859-1', 'latin1'],
    ['cp1252', 'windows1252'],
    ['ascii', 'ascii'],
    ['mskanji', 'shiftjis'],
    ['shift_jis', 'shiftjis'],
    ['cp932', 'shiftjis'],
    ['euc_jp', 'eucjp'],
    ['utf-16', 'utf16'],
    ['utf_16_le', 'utf16le'],
  ])('normalises encoding %s to %s', (name, canonical) => {
    expect(resolveDialect({ encoding: name }).encoding).toBe(canonical);
  });

  it.each([
    [{ delimiter: ',,' }, 'csvSettings.delimiter', '",,"'],
    [{ delimiter: '' }, 'csvSettings.delimiter', '""'],
    [{ delimiter: 'é' }, 'csvSettings.delimiter', '"é"'],
    [{ delimiter: '\n' }, 'csvSettings.delimiter', 'line break'],
    [{ quotechar: '\r' }, 'csvSettings.quotechar', 'line break'],
    [{ quotechar: 'tab' }, 'csvSettings.quotechar', '"tab"'],
    [{ quotechar: ',' }, 'csvSettings.quotechar', 'same as the delimiter'],
    [{ delimiter: '|', quotechar: '|' }, 'csvSettings.quotechar', 'same as the delimiter'],
    [{ encoding: 'klingon' }, 'csvSettings.encoding', '"klingon"'],
    [{ encoding: 'base64' }, 'csvSettings.encoding', '"base64"'],
  ])('rejects %j naming %s', (settings, field, received) => {
    const err = settingsError(settings);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toContain(received);
    expect(err.message).toMatch(/expected/);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.problems).toEqual([{ field, message: expect.any(String) }]);
  });
});

describe('isUtf8', () => {
  it('is true only for UTF-8', () => {
    expect(isUtf8(resolveDialect({ encoding: 'utf-8-sig' }))).toBe(true);
    expect(isUtf8(resolveDialect({ encoding: 'latin1' }))).toBe(false);
  });
});

describe('isAsciiCompatible', () => {
  it.each(['utf8', 'latin1', 'cp1252', 'cp1250', 'ascii', 'shiftjis', 'euc-jp', 'gbk', 'big5', 'koi8-r'])(
    'is true for %s',
    (encoding) => {
      expect(isAsciiCompatible(encoding)).toBe(true);
    },
  );

  it.each(['utf16le', 'utf-16', 'utf16be', 'utf32', 'utf-7', 'viscii', 'no-such-encoding'])(
    'is false for %s',
    (encoding) => {
      expect(isAsciiCompatible(encoding)).toBe(false);
    },
  );

  it('flags low bytes that can be Shift_JIS trail bytes', () => {
    expect(lowByteIsUnambiguous('shiftjis', 0x2c)).toBe(true);
    expect(lowByteIsUnambiguous('shiftjis', 0x7c)).toBe(false); // '|' is the trail byte of e.g. 0x83 0x7c
    expect(lowByteIsUnambiguous('eucjp', 0x7c)).toBe(true);
    expect(lowByteIsUnambiguous('utf16le', 0x2c)).toBe(false);
  });
});
