/**
 * Transcoding at the edges: the engine works on UTF-8 bytes only, so input in another encoding is decoded on the
 * way in and output is encoded on the way out. UTF-8 gets no stream at all (no copy).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';
import { canonicalEncoding } from './encoding-names.js';
import { CsvSettingsError } from './errors.js';

function resolve(encoding: string): string {
  const canonical = canonicalEncoding(encoding);
  if (canonical === null) throw new CsvSettingsError('csvSettings.encoding', `unknown encoding ${encoding}`);
  return canonical;
}

/** Removes a leading UTF-8 byte order mark (returns a view, never a copy). */
export function stripUtf8Bom(buf: Uint8Array): Uint8Array {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
}

/**
 * A byte stream transform from `encoding` to UTF-8, or null when the input is already UTF-8 (the caller then
 * strips the BOM itself, see {@link stripUtf8Bom}). The BOM of BOM-aware encodings (UTF-16/32) is dropped;
 * characters split across chunks are handled by iconv-lite's streaming decoder.
 */
export function decodeToUtf8(encoding: string): Transform | null {
  const canonical = resolve(encoding);
  if (canonical === 'utf8') return null;
  const decoder = iconv.getDecoder(canonical, { stripBOM: true });
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      const text = decoder.write(chunk);
      done(null, text.length > 0 ? Buffer.from(text, 'utf8') : undefined);
    },
    flush(done: TransformCallback) {
      const text = decoder.end();
      done(null, text ? Buffer.from(text, 'utf8') : undefined);
    },
  });
}

/**
 * A byte stream transform from UTF-8 to `encoding`, or null when the output stays UTF-8. Characters the target
 * encoding cannot represent become iconv-lite's replacement (`?` for single-byte codecs); no BOM is written.
 */
export function encodeFromUtf8(encoding: string): Transform | null {
  const canonical = resolve(encoding);
  if (canonical === 'utf8') return null;
  const utf8 = new StringDecoder('utf8');
  const encoder = iconv.getEncoder(canonical);
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      const out = encoder.write(utf8.write(chunk));
      done(null, out.length > 0 ? out : undefined);
    },
    flush(done: TransformCallback) {
      const tail = utf8.end();
      const parts = [tail ? encoder.write(tail) : undefined, encoder.end()];
      const out = Buffer.concat(parts.filter((p): p is Buffer => p !== undefined && p.length > 0));
      done(null, out.length > 0 ? out : undefined);
    },
  });
}
