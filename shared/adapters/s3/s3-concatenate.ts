/**
 * Joining objects into one inside S3. A job's output is its header and one scored part per chunk; on AWS the parts
 * become the downloadable object through a multipart upload whose large parts are UploadPartCopy requests, so S3
 * copies them server-side in parallel and the bytes never pass through the Lambda. Small objects (S3 wants every
 * part but the last to be at least 5 MiB) are grouped and streamed as ordinary parts.
 */
import { PassThrough, Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { ObjectNotFoundError } from '../../ports/object-store.js';

const MiB = 1024 * 1024;
/** S3's smallest part, except the last. */
export const MIN_PART_BYTES = 5 * MiB;
/** S3's largest part (and largest UploadPartCopy range). */
const MAX_PART_BYTES = 5 * 1024 * MiB;
/** S3's most parts in one upload. */
const MAX_PARTS = 10_000;
/** Part requests in flight at once. */
const PARALLEL_PARTS = 8;

/** One source object and its size. */
interface Source {
  readonly key: string;
  readonly size: number;
}

/** A part of the joined object: a server-side copy of one range, or the given objects streamed in order. */
type PartPlan =
  | { readonly kind: 'copy'; readonly key: string; readonly start: number; readonly end: number }
  | { readonly kind: 'stream'; readonly sources: readonly Source[]; readonly size: number };

/**
 * Plans the parts of joining `sources` in order: every object of at least 5 MiB is copied server-side (in ranges of
 * at most 5 GiB); runs of smaller objects are streamed as one part once they reach 5 MiB, absorbing the next large
 * object when needed so that only the last part can be small. Returns null when no plan fits S3's limits (more
 * than 10,000 parts), in which case the caller streams everything.
 */
export function planConcatenation(sources: readonly Source[]): PartPlan[] | null {
  const parts: PartPlan[] = [];
  let pending: Source[] = [];
  let pendingBytes = 0;
  for (const source of sources) {
    if (pendingBytes > 0 || source.size < MIN_PART_BYTES) {
      // A streamed part is open (or starts here): it takes whole objects until it is big enough.
      if (pendingBytes + source.size > MAX_PART_BYTES) return null;
      pending.push(source);
      pendingBytes += source.size;
      if (pendingBytes >= MIN_PART_BYTES) {
        parts.push({ kind: 'stream', sources: pending, size: pendingBytes });
        pending = [];
        pendingBytes = 0;
      }
      continue;
    }
    // Equal ranges, so that none is below the minimum part size when the object is just over 5 GiB.
    const step = Math.ceil(source.size / Math.ceil(source.size / MAX_PART_BYTES));
    for (let start = 0; start < source.size; start += step) {
      parts.push({ kind: 'copy', key: source.key, start, end: Math.min(source.size, start + step) });
    }
  }
  if (pending.length > 0) parts.push({ kind: 'stream', sources: pending, size: pendingBytes });
  return parts.length <= MAX_PARTS ? parts : null;
}

/**
 * Joins `sources` in order into `key` in `bucket` and returns the joined size. With `partCopy` false (s3rver has no
 * UploadPartCopy) or when the parts cannot be planned, the objects are streamed through this process instead.
 *
 * @throws ObjectNotFoundError when a source does not exist.
 */
export async function concatenateObjects(
  client: S3Client,
  bucket: string,
  key: string,
  keys: readonly string[],
  options: { readonly partCopy: boolean; readonly streamPut: (body: Readable) => Promise<void> },
): Promise<number> {
  const sources = await sizesOf(client, bucket, keys);
  const total = sources.reduce((sum, s) => sum + s.size, 0);
  const plan = options.partCopy && total >= MIN_PART_BYTES ? planConcatenation(sources) : null;
  if (plan === null || !plan.some((part) => part.kind === 'copy')) {
    await options.streamPut(Readable.from(streamSources(client, bucket, sources)));
    return total;
  }
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`S3 returned no upload id for ${key}`);
  try {
    const etags = await inParallel(plan, PARALLEL_PARTS, (part, i) =>
      uploadPlannedPart(client, bucket, key, uploadId, i + 1, part),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) },
      }),
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
  return total;
}

async function uploadPlannedPart(
  client: S3Client,
  bucket: string,
  key: string,
  uploadId: string,
  partNumber: number,
  part: PartPlan,
): Promise<string> {
  const target = { Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber };
  if (part.kind === 'copy') {
    const response = await client.send(
      new UploadPartCopyCommand({
        ...target,
        CopySource: `${bucket}/${encodeURIComponent(part.key).replaceAll('%2F', '/')}`,
        CopySourceRange: `bytes=${part.start}-${part.end - 1}`,
      }),
    );
    const etag = response.CopyPartResult?.ETag;
    if (!etag) throw new Error(`S3 returned no ETag for copied part ${partNumber} of ${key}`);
    return etag;
  }
  const body = new PassThrough();
  Readable.from(streamSources(client, bucket, part.sources))
    .on('error', (e) => body.destroy(e))
    .pipe(body);
  const response = await client.send(
    new UploadPartCommand({ ...target, Body: body, ContentLength: part.size }),
  );
  if (!response.ETag) throw new Error(`S3 returned no ETag for part ${partNumber} of ${key}`);
  return response.ETag;
}

async function sizesOf(client: S3Client, bucket: string, keys: readonly string[]): Promise<Source[]> {
  return inParallel(keys, 16, async (key) => {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0 };
    } catch (error) {
      if (error instanceof Error && error.name === 'NotFound') throw new ObjectNotFoundError(key);
      throw error;
    }
  });
}

async function* streamSources(
  client: S3Client,
  bucket: string,
  sources: readonly Source[],
): AsyncGenerator<Uint8Array> {
  for (const source of sources) {
    if (source.size === 0) continue;
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: source.key }));
    yield* response.Body as AsyncIterable<Uint8Array>;
  }
}

/** Maps `items` with at most `limit` calls in flight, keeping the results in order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
