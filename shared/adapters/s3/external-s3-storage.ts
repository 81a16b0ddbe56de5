/**
 * {@link ExternalObjectStorage} with the AWS SDK: one S3 client per opened bucket, built from the stack's own
 * client settings (so, locally, s3rver) plus the job's endpoint and keys. Timeouts are short on connecting, so a
 * wrong endpoint fails the job in seconds rather than minutes; AWS region redirects are followed, so a bucket in
 * another region than the stack's is simply read.
 */
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DataSourceError, ValidationError } from '../../domain/errors.js';
import type {
  ExternalBucket,
  ExternalObject,
  ExternalObjectStorage,
  ExternalS3Access,
  ExternalWriteOptions,
} from '../../ports/external-object-storage.js';
import { missingObject, type S3Operation, translateS3Error } from './external-s3-errors.js';

/** Connecting longer than this means the endpoint is wrong or unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A socket silent this long is dead (S3 streams steadily once it answers). */
const IDLE_TIMEOUT_MS = 60_000;
const MAX_ATTEMPTS = 3;
/** 16 MiB parts: 10,000 parts (S3's limit) hold 160 GiB, above the default 100 GB write limit. */
const PART_BYTES = 16 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

export interface ExternalS3StorageOptions {
  /** The stack's own S3 client settings (endpoint, region, credentials); `{}` on AWS. */
  readonly base: S3ClientConfig;
  /** The stack's own bucket, which intake and output must not reach. */
  readonly ownBucket: string;
  /**
   * Whether endpointUrl may name loopback, private or link-local addresses. True only locally (s3rver is on
   * 127.0.0.1); on AWS such an endpoint could reach the metadata and credential services.
   */
  readonly allowPrivateEndpoints: boolean;
}

export class ExternalS3Storage implements ExternalObjectStorage {
  constructor(private readonly options: ExternalS3StorageOptions) {}

  open(bucket: string, access: ExternalS3Access): ExternalBucket {
    if (access.endpointUrl === undefined && bucket === this.options.ownBucket) {
      throw new DataSourceError(
        `Bucket ${bucket} holds this service's own data and cannot be used for intake or output`,
      );
    }
    const client = new S3Client(this.clientConfig(access));
    return new SdkExternalBucket(client, bucket, access.endpointUrl);
  }

  private clientConfig(access: ExternalS3Access): S3ClientConfig {
    const timeouts: S3ClientConfig = {
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: IDLE_TIMEOUT_MS },
      maxAttempts: MAX_ATTEMPTS,
      followRegionRedirects: true,
    };
    const keys = access.keys && {
      credentials: {
        accessKeyId: access.keys.accessKeyId,
        secretAccessKey: access.keys.secretAccessKey,
        sessionToken: access.keys.sessionToken,
      },
    };
    if (access.endpointUrl === undefined) return { ...this.options.base, ...timeouts, ...keys };
    const endpoint = checkedEndpoint(access.endpointUrl, this.options.allowPrivateEndpoints);
    return {
      ...this.options.base,
      ...timeouts,
      endpoint,
      forcePathStyle: true,
      region: this.options.base.region ?? 'us-east-1',
      // Never present the stack's identity to an endpoint a user named: without keys, requests go unsigned.
      ...(keys ?? { signer: { sign: async (request) => request } }),
    };
  }
}

class SdkExternalBucket implements ExternalBucket {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly endpointUrl: string | undefined,
  ) {}

  async list(prefix: string): Promise<ExternalObject[]> {
    const objects: ExternalObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.attempt('list', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) objects.push({ key: o.Key, size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async size(key: string): Promise<number> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NotFound') {
        throw translateS3Error(error, this.operation('read', key));
      }
      // A HEAD answers 404 without saying whether the bucket or the object is missing; ask the bucket.
      await this.attempt('read', '', () => this.headBucket());
      throw missingObject(this.operation('read', key));
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.attempt('read', key, () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined,
        }),
      ),
    );
    // In Node the SDK's body is an http.IncomingMessage, i.e. a Readable; its errors are translated as read.
    return this.translatedStream((response.Body as Readable | undefined) ?? Readable.from([]), key);
  }

  async write(key: string, body: AsyncIterable<Uint8Array>, options: ExternalWriteOptions): Promise<number> {
    let bytes = 0;
    let bodyError: unknown;
    const counted = Readable.from(
      (async function* () {
        try {
          for await (const piece of body) {
            bytes += piece.length;
            yield piece;
          }
        } catch (error) {
          bodyError = error;
          throw error;
        }
      })(),
    );
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: counted,
        ContentType: options.contentType,
        ServerSideEncryption: options.serverSideEncryption?.algorithm,
        SSEKMSKeyId: options.serverSideEncryption?.kmsKeyId,
        SSEKMSEncryptionContext: options.serverSideEncryption?.kmsEncryptionContext,
      },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // The body's own failure (e.g. the write limit) is the reason, even when aborting the upload failed too.
      throw translateS3Error(bodyError ?? error, this.operation('write', key));
    }
    return bytes;
  }

  close(): void {
    this.client.destroy();
  }

  private async headBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFound') {
        throw Object.assign(new Error('no such bucket'), { name: 'NoSuchBucket' });
      }
      throw error;
    }
  }

  private async *translatedStream(stream: Readable, key: string): AsyncGenerator<Uint8Array> {
    try {
      for await (const piece of stream) yield piece as Uint8Array;
    } catch (error) {
      throw translateS3Error(error, this.operation('read', key));
    }
  }

  private async attempt<T>(verb: S3Operation['verb'], key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translateS3Error(error, this.operation(verb, key));
    }
  }

  private operation(verb: S3Operation['verb'], key: string): S3Operation {
    return {
      verb,
      location: `s3://${this.bucket}/${key}`,
      bucket: this.bucket,
      endpointUrl: this.endpointUrl,
    };
  }
}

/** Host names that always mean this machine or the cloud's instance services. */
const PRIVATE_HOSTS = new Set(['localhost', 'metadata.google.internal', 'instance-data']);

/** The endpoint URL, when it is http(s) and (unless allowed) not a loopback, private or link-local address. */
function checkedEndpoint(endpointUrl: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    throw invalidEndpoint('expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidEndpoint('expected an http:// or https:// URL');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!allowPrivate && (PRIVATE_HOSTS.has(host) || host.endsWith('.localhost') || isPrivateAddress(host))) {
    throw invalidEndpoint('loopback, private and link-local addresses are not allowed');
  }
  return url.toString().replace(/\/$/, '');
}

function invalidEndpoint(message: string): ValidationError {
  return new ValidationError([{ field: 'endpointUrl', message }]);
}

/** Whether `host` is an IP literal in a loopback, private, link-local or unspecified range. */
function isPrivateAddress(host: string): boolean {
  const version = isIP(host);
  if (version === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (version === 6) {
    return (
      host === '::' ||
      host === '::1' ||
      /^f[cd]/.test(host) ||
      /^fe[89ab]/.test(host) ||
      host.startsWith('::ffff:')
    );
  }
  return false;
}
