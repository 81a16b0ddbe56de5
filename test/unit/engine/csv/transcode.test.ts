import type { Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeToUtf8, encodeFromUtf8, stripUtf8Bom } from '../../../../shared/engine/csv/transcode.js';

/** Pushes `bytes` through the transform in pieces of `pieceSize` (splitting multibyte characters) and collects the output. */
async function through(transform: Transform, bytes: Buffer, pieceSize: number): Promise<Buffer> {
  const out: Buffer[] = [];
  transform.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    transform.on('end', resolve);
    transform.on('error', reject);
  });
  for (let pos = 0; pos < bytes.length; pos += pieceSize)
    transform.write(bytes.subarray(pos, pos + pieceSize));
  transform.end();
  await done;
  return Buffer.concat(out);
}

const TEXT = 'id,name,city\n1,"Müller, José",Zürich\n2,山田太郎,東京\n3,"x""y",Ōsaka\n';

describe('transcoding', () => {
  it.each([
    ['latin1', 'id,name\n1,"Müller, José",Zürich ©\n'],
    ['shift_jis', TEXT.replace(/[ÜüéŌ]/g, 'e')],
    ['utf-16le', TEXT],
    ['cp1252', 'a,b\n€,“quoted”\n'],
  ])('round-trips %s through UTF-8 in 1-, 3- and 4096-byte pieces', async (encoding, text) => {
    const original = iconv.encode(text, encoding);
    for (const pieceSize of [1, 3, 4096]) {
      const decoder = decodeToUtf8(encoding);
      const encoder = encodeFromUtf8(encoding);
      if (!decoder || !encoder) throw new Error(`expected transforms for ${encoding}`);
      const utf8 = await through(decoder, original, pieceSize);
      expect(utf8.toString('utf8')).toBe(text);
      expect((await through(encoder, utf8, pieceSize)).equals(original)).toBe(true);
    }
  });

  it('strips the BOM of UTF-16 input', async () => {
    const withBom = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('a,b\n', 'utf16le')]);
    const decoder = decodeToUtf8('utf-16');
    if (!decoder) throw new Error('expected a transform for utf-16');
    expect((await through(decoder, withBom, 1)).toString('utf8')).toBe('a,b\n');
  });

  it('needs no transform for UTF-8, however it is spelled', () => {
    for (const name of ['utf8', 'utf-8', 'UTF_8', 'utf-8-sig']) {
      expect(decodeToUtf8(name)).toBeNull();
      expect(encodeFromUtf8(name)).toBeNull();
    }
  });
});

describe('stripUtf8Bom', () => {
  it('removes a leading BOM without copying and leaves other bytes alone', () => {
    const buf = Buffer.from('\uFEFFa,b');
    const stripped = stripUtf8Bom(buf);
    expect(Buffer.from(stripped).toString()).toBe('a,b');
    expect(stripped.buffer).toBe(buf.buffer);
    const plain = Buffer.from('a,b');
    expect(stripUtf8Bom(plain)).toBe(plain);
    expect(stripUtf8Bom(Buffer.from([0xef, 0xbb]))).toHaveLength(2);
  });
});
