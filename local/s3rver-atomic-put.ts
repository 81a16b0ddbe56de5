/**
 * Makes s3rver's object writes atomic. s3rver 3 answers a PUT before the object's file is flushed and serves
 * (and sizes) an object from whatever its file holds at that moment, so a reader polling for a new object (the
 * download following a running job, prepare reading a just-completed upload, finalize reading the last part)
 * can get a truncated object with no error. Real S3 never shows a partial object; this restores that: the body
 * goes to a temporary file that is renamed into place only when complete.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// The parts of s3rver's (untyped) filesystem store that the replacement uses.
interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly metadata: Record<string, string>;
  readonly content: Buffer | Readable;
}
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

const require = createRequire(import.meta.url);
const store = (require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStore }).prototype;
let patched = false;

/** Replaces s3rver's putObject (for every s3rver in this process); calling it again does nothing. */
export function makeS3rverPutsAtomic(): void {
  if (patched) return;
  patched = true;
  store.putObject = async function putObject(this: FilesystemStore, object: StoredObject) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const temporary = `${objectPath}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            md5.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temporary),
      );
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const digest = md5.digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    await rename(temporary, objectPath);
    return { size, md5: digest };
  };
}
