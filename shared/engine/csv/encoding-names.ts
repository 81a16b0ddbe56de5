/**
 * Encoding names: maps the names a client may send (iconv-lite or Python spellings) to one canonical iconv-lite
 * name, and knows which encodings can be split into records without decoding them first.
 */
import iconv from 'iconv-lite';

/** Python codec names (after stripping non-alphanumerics) that iconv-lite does not know under that name. */
const PYTHON_ALIASES: Readonly<Record<string, string>> = {
  utf8sig: 'utf8',
  u8: 'utf8',
  utf: 'utf8',
  utf8ucs2: 'utf8',
  utf8ucs4: 'utf8',
  cp65001: 'utf8',
  latin: 'latin1',
  '646': 'ascii',
  ujis: 'eucjp',
  u16: 'utf16',
  u32: 'utf32',
};

/** Codec keys whose usual name differs from the iconv-lite table key. */
const PREFERRED_NAMES: Readonly<Record<string, string>> = {
  iso88591: 'latin1',
  binary: 'latin1',
  ucs2: 'utf16le',
};

/** Binary-to-text codecs iconv-lite accepts but that are not text encodings (Python refuses them too). */
const NOT_TEXT = new Set(['base64', 'hex', 'base64url']);

/**
 * Resolves a client-supplied encoding name to its canonical iconv-lite name (`utf8`, `latin1`, `shiftjis`,
 * `utf16le`, `windows1252`, ...), or null when neither iconv-lite nor Python's aliases know it.
 */
export function canonicalEncoding(name: string): string | null {
  const stripped = iconv._canonicalizeEncoding(name.trim().replaceAll('_', '-'));
  const aliased = PYTHON_ALIASES[stripped] ?? stripped;
  if (NOT_TEXT.has(aliased) || !iconv.encodingExists(aliased)) return null;
  const table = iconv.encodings as Record<string, unknown> | null;
  let key = aliased;
  // encodingExists() loaded the table; string entries are aliases, the first non-string entry is the codec.
  for (let hops = 0; table && typeof table[key] === 'string' && hops < 16; hops++) key = table[key] as string;
  if (NOT_TEXT.has(key)) return null;
  return PREFERRED_NAMES[key] ?? key;
}

/**
 * Low bytes that can be the second (or later) byte of a multibyte character, per double-byte codec.
 * Bytes below 0x30 (CR, LF, tab, `,` `;` `"` `'`) are never among them.
 */
const DBCS_LOW_TRAIL_RANGES: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>> = {
  eucjp: [],
  shiftjis: [[0x40, 0x7e]],
  cp936: [[0x40, 0x7e]],
  gbk: [[0x40, 0x7e]],
  gb18030: [
    [0x30, 0x39],
    [0x40, 0x7e],
  ],
  cp949: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  cp950: [[0x40, 0x7e]],
  big5hkscs: [[0x40, 0x7e]],
};

const sbcsAsciiCache = new Map<string, boolean>();

/** A single-byte codec keeps ASCII when bytes 0x00-0x7f decode to the same code points. */
function singleByteKeepsAscii(encoding: string): boolean {
  let keeps = sbcsAsciiCache.get(encoding);
  if (keeps === undefined) {
    const bytes = Uint8Array.from({ length: 0x80 }, (_, i) => i);
    const text = iconv.decode(bytes, encoding);
    keeps = text.length === 0x80 && [...text].every((ch, i) => ch.charCodeAt(0) === i);
    sbcsAsciiCache.set(encoding, keeps);
  }
  return keeps;
}

function codecType(encoding: string): string | null {
  const canonical = canonicalEncoding(encoding);
  if (canonical === null) return null;
  if (canonical === 'utf8' || canonical === 'cesu8') return 'utf8';
  if (canonical in DBCS_LOW_TRAIL_RANGES) return 'dbcs';
  return iconv.getCodec(canonical).constructor.name === 'SBCSCodec' ? 'sbcs' : 'other';
}

/**
 * True when CR, LF and the usual CSV punctuation keep their ASCII byte values and can never occur inside a
 * multibyte character, so record boundaries can be found in the raw bytes: UTF-8, Latin-1, the cp125x family and
 * other ASCII-based single-byte codecs, Shift_JIS, EUC-JP, GBK/GB18030, Big5, CP949. False for UTF-16/32, UTF-7
 * and unknown names. Caveat: in the double-byte codecs (not EUC-JP) bytes 0x40-0x7e (and 0x30-0x39 in GB18030)
 * can be trail bytes; use {@link lowByteIsUnambiguous} for a dialect's delimiter and quote.
 */
export function isAsciiCompatible(encoding: string): boolean {
  const type = codecType(encoding);
  if (type === 'utf8' || type === 'dbcs') return true;
  if (type === 'sbcs') return singleByteKeepsAscii(canonicalEncoding(encoding) as string);
  return false;
}

/** True when `byte` (< 0x80) in text of this ASCII-compatible encoding always stands for that ASCII character. */
export function lowByteIsUnambiguous(encoding: string, byte: number): boolean {
  if (byte >= 0x80 || !isAsciiCompatible(encoding)) return false;
  const ranges = DBCS_LOW_TRAIL_RANGES[canonicalEncoding(encoding) as string] ?? [];
  return ranges.every(([lo, hi]) => byte < lo || byte > hi);
}
