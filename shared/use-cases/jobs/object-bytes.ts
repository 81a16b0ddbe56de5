/** Reading whole (small) objects, for chunk plans, headers and chunk byte ranges. */
import type { Readable } from 'node:stream';
import type { ByteRange, ObjectStore } from '../../ports/object-store.js';

/** Collects a stream into one Buffer. */
export async function readStream(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<Uint8Array | string>) {
    pieces.push(typeof piece === 'string' ? Buffer.from(piece) : asBuffer(piece));
  }
  return Buffer.concat(pieces);
}

/** The object's bytes (or a range of them). Throws ObjectNotFoundError. */
export async function readObject(objects: ObjectStore, key: string, range?: ByteRange): Promise<Buffer> {
  return readStream(await objects.get(key, range));
}

function asBuffer(piece: Uint8Array): Buffer {
  return Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
}
