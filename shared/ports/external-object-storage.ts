/**
 * Buckets that belong to the user, not to Batchline: the source of `s3` intake and the destination of `s3`
 * output. Every failure the user can fix (access denied, no such bucket or object, unreachable endpoint, wrong
 * region) is raised as a DataSourceError whose message names the `s3://` location and says what to check, and
 * never contains a secret.
 */

/** Explicit keys for an external bucket (a stored `s3` credential). */
export interface S3Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** How to reach a user's bucket. */
export interface ExternalS3Access {
  /** A non-AWS, S3-compatible endpoint (path-style addressing); absent, the stack's own S3 endpoint. */
  readonly endpointUrl?: string;
  /**
   * Explicit keys; absent, the stack's own credentials are used at the stack's own endpoint, and requests to
   * any other endpoint go unsigned (the stack's identity is never presented to an endpoint a user named).
   */
  readonly keys?: S3Keys;
}

export interface ExternalObject {
  readonly key: string;
  readonly size: number;
}

/** How S3 encrypts a written object at rest (SSE-S3 or SSE-KMS). */
export interface ServerSideEncryption {
  readonly algorithm: 'AES256' | 'aws:kms';
  readonly kmsKeyId?: string;
  readonly kmsEncryptionContext?: string;
}

export interface ExternalWriteOptions {
  readonly contentType: string;
  readonly serverSideEncryption?: ServerSideEncryption;
}

/** One bucket of a user, opened with one access; close it when done. */
export interface ExternalBucket {
  /** The objects whose keys start with `prefix`, in key order. */
  list(prefix: string): Promise<ExternalObject[]>;
  /** The object's size in bytes. */
  size(key: string): Promise<number>;
  /** The object's bytes from `start` (inclusive) to `end` (exclusive), or all of it. */
  read(key: string, range?: { start: number; end: number }): Promise<AsyncIterable<Uint8Array>>;
  /**
   * Writes (or replaces) the object from `body` by multipart upload, without buffering it whole; returns the
   * bytes written. An error thrown by `body` aborts the upload (nothing is left behind) and is rethrown as is.
   */
  write(key: string, body: AsyncIterable<Uint8Array>, options: ExternalWriteOptions): Promise<number>;
  /** Releases the connections. */
  close(): void;
}

export interface ExternalObjectStorage {
  /**
   * Opens `bucket` with `access`. Throws DataSourceError when the bucket is the stack's own (its job data is not
   * reachable through intake or output).
   */
  open(bucket: string, access: ExternalS3Access): ExternalBucket;
}
