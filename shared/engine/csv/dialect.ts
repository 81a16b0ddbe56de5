/**
 * CSV dialect: the `csvSettings` of a job resolved to the bytes the engine works with, validated the way
 * DataRobot validates them (one ASCII character each, `tab` allowed for the delimiter, Python codec names).
 */
import { canonicalEncoding } from './encoding-names.js';
import { CsvSettingsError } from './errors.js';

export { isAsciiCompatible, lowByteIsUnambiguous } from './encoding-names.js';
export { CsvSettingsError } from './errors.js';

/** A resolved dialect: delimiter and quote as byte values, encoding as a canonical iconv-lite name. */
export interface CsvDialect {
  readonly delimiter: number;
  readonly quote: number;
  readonly encoding: string;
}

/** `csvSettings` as a job spec carries them. */
export interface CsvSettings {
  delimiter?: string;
  quotechar?: string;
  encoding?: string;
}

const CR = 0x0d;
const LF = 0x0a;

function describe(value: string): string {
  return JSON.stringify(value);
}

function singleAsciiByte(field: string, value: string, allowTab: boolean): number {
  if (allowTab && value.toLowerCase() === 'tab') return 0x09;
  const expected = allowTab ? 'one ASCII character or "tab"' : 'one ASCII character';
  if (value.length !== 1) throw new CsvSettingsError(field, `got ${describe(value)}, expected ${expected}`);
  const code = value.charCodeAt(0);
  if (code >= 0x80) throw new CsvSettingsError(field, `got ${describe(value)}, expected ${expected}`);
  if (code === CR || code === LF) {
    throw new CsvSettingsError(field, `got a line break, expected ${expected} other than CR or LF`);
  }
  return code;
}

/**
 * Resolves `csvSettings` to a dialect. Defaults: delimiter `,`, quotechar `"`, encoding `utf-8`.
 *
 * @throws CsvSettingsError naming the offending field (`csvSettings.delimiter`, `csvSettings.quotechar`,
 *   `csvSettings.encoding`) with what was received and what is expected.
 * @example resolveDialect({ delimiter: 'tab', encoding: 'latin_1' }) // { delimiter: 9, quote: 34, encoding: 'latin1' }
 */
export function resolveDialect(settings: CsvSettings = {}): CsvDialect {
  const delimiter = singleAsciiByte('csvSettings.delimiter', settings.delimiter ?? ',', true);
  const quote = singleAsciiByte('csvSettings.quotechar', settings.quotechar ?? '"', false);
  if (quote === delimiter) {
    throw new CsvSettingsError(
      'csvSettings.quotechar',
      `got ${describe(String.fromCharCode(quote))}, the same as the delimiter; expected a different character`,
    );
  }
  const requested = settings.encoding ?? 'utf-8';
  const encoding = canonicalEncoding(requested);
  if (encoding === null) {
    throw new CsvSettingsError(
      'csvSettings.encoding',
      `got ${describe(requested)}, expected a known encoding such as utf-8, latin-1, cp1252, shift_jis or utf-16`,
    );
  }
  return { delimiter, quote, encoding };
}

/** True when the dialect's text is already UTF-8, so no transcoding is needed. */
export function isUtf8(d: CsvDialect): boolean {
  return d.encoding === 'utf8';
}
