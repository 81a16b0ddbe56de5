/**
 * Two fixes to s3rver's filesystem store, so the emulator behaves (and performs) closer to S3.
 *
 * Atomic writes. s3rver 3 answers a PUT before the object's file is flushed and serves (and sizes) an object from
 * whatever its file holds at that moment, so a reader polling for a new object (the download following a running
 * job, prepare reading a just-completed upload, finalize reading the last part) can get a truncated object with no
 * error. Real S3 never shows a partial object; the body goes to a temporary file that is renamed into place only
 * when complete.
 *
 * Large reads. s3rver reads an object's file in Node's default 64 KiB pieces. Serving a job's input (hundreds of
 * MiB) that way costs thousands of thread-pool round trips; measured when s3rver still shared the main thread, a
 * 1M-row prepare took 0.5-1.3 s instead of 0.2-0.4 s (bench/orchestration.bench.ts). Objects are read in 1 MiB
 * pieces instead.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, ReadStream } from 'node:fs';
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
  getObject(bucket: string, key: string, options?: unknown): Promise<{ content: unknown } | null>;
}

const require = createRequire(import.meta.url);
const store = (require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStore }).prototype;
let patched = false;

/** How much of an object's file s3rver reads at a time. */
export const S3RVER_READ_BYTES = 1 << 20;

/** Patches s3rver's store (for every s3rver in this process); calling it again does nothing. */
export function patchS3rverStore(): void {
  if (patched) return;
  patched = true;
  store.putObject = atomicPutObject;
  const getObject = store.getObject;
  store.getObject = async function largeReadsGetObject(
    this: FilesystemStore,
    ...args: Parameters<FilesystemStore['getObject']>
  ) {
    const object = await getObject.apply(this, args);
    if (!(object?.content instanceof ReadStream)) return object;
    // s3rver has opened the file with the default buffer size and not read from it yet: reopen the same range.
    const { path, start, end } = object.content as ReadStream & { start?: number; end?: number };
    object.content.destroy();
    try {
      object.content = await openedReadStream(path, start, end);
    } catch (error) {
      // Deleted since s3rver opened it: answer as s3rver does for a missing object.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return object;
  };
}

function openedReadStream(path: string | Buffer, start?: number, end?: number): Promise<ReadStream> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path, { start, end, highWaterMark: S3RVER_READ_BYTES })
      .once('error', reject)
      .once('open', () => resolve(stream));
  });
}

async function atomicPutObject(
  this: FilesystemStore,
  object: StoredObject,
): Promise<{ size: number; md5: string }> {
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
}
