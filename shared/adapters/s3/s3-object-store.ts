/**
 * {@link ObjectStore} on one S3 bucket. Works against AWS S3 and s3rver (see `localS3ClientConfig`); s3rver has no
 * UploadPartCopy, so `partCopy: false` makes {@link S3ObjectStore.concatenate} stream instead.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type ByteRange,
  type CompletedPart,
  type ObjectBody,
  ObjectNotFoundError,
  type ObjectStore,
  type ObjectSummary,
  type PutOptions,
  type SizedStream,
} from '../../ports/object-store.js';
import { concatenateObjects } from './s3-concatenate.js';

/** S3 accepts at most this many keys per DeleteObjects request. */
const DELETE_BATCH = 1000;

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly options: { readonly partCopy: boolean } = { partCopy: true },
  ) {}

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<void> {
    const params = { Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType };
    if (body instanceof Readable) {
      // A stream of unknown length cannot go in one PutObject; Upload switches to multipart past 5 MB.
      await new Upload({ client: this.client, params }).done();
    } else {
      await this.client.send(new PutObjectCommand(params));
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    if (range && range.end <= range.start) {
      // S3 has no way to ask for zero bytes; still report a missing object as one.
      if (!(await this.head(key))) throw new ObjectNotFoundError(key);
      return Readable.from([]);
    }
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined,
        }),
      );
      // In Node the SDK's body is an http.IncomingMessage, i.e. a Readable.
      return (response.Body as Readable | undefined) ?? Readable.from([]);
    } catch (error) {
      throw isMissingObject(error) ? new ObjectNotFoundError(key) : error;
    }
  }

  async head(key: string): Promise<{ size: number } | null> {
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: response.ContentLength ?? 0 };
    } catch (error) {
      if (isMissingObject(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys = (await this.list(prefix)).map((object) => object.key);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const response = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = response.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(`Could not delete ${failed.length} objects under ${prefix}: ${failed[0]?.Message}`);
      }
    }
  }

  async list(prefix: string): Promise<ObjectSummary[]> {
    const objects: ObjectSummary[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) {
          objects.push({
            key: object.Key,
            size: object.Size ?? 0,
            lastModified: object.LastModified ?? new Date(0),
          });
        }
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return objects;
  }

  presignGet(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: seconds,
    });
  }

  presignPut(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: seconds,
    });
  }

  concatenate(key: string, sources: readonly string[]): Promise<number> {
    return concatenateObjects(this.client, this.bucket, key, sources, {
      partCopy: this.options.partCopy,
      streamPut: (body) => this.put(key, body),
    });
  }

  async createMultipart(key: string): Promise<string> {
    const response = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
    );
    if (!response.UploadId) throw new Error(`S3 returned no upload id for ${key}`);
    return response.UploadId;
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array | SizedStream,
  ): Promise<string> {
    const payload =
      body instanceof Uint8Array ? { Body: body } : { Body: body.stream, ContentLength: body.length };
    const response = await this.client.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        ...payload,
      }),
    );
    if (!response.ETag) throw new Error(`S3 returned no ETag for part ${partNumber} of ${key}`);
    return response.ETag;
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: ordered.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
      }),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      );
    } catch (error) {
      if (!isAbortAlreadySettled(error)) throw error;
    }
  }
}

/** GetObject reports a missing key as NoSuchKey; HeadObject, having no body, only as NotFound. */
function isMissingObject(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

/**
 * Aborting is cleanup, so an upload that is already gone (NoSuchUpload) counts as aborted. s3rver does not
 * implement AbortMultipartUpload at all and answers MethodNotAllowed, which real S3 never does for it; its
 * orphaned parts stay in the emulator's data directory, and no object is created either way.
 */
function isAbortAlreadySettled(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchUpload' || error.name === 'MethodNotAllowed');
}
