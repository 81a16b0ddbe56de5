/**
 * Where job data lives: uploaded input, chunk manifests, scored parts and assembled output. Keys are
 * relative to the store (e.g. `jobs/<id>/input`); the adapter decides the bucket.
 */
import type { Readable } from 'node:stream';
import { DomainError } from '../domain/errors.js';

/** A body whose length is unknown is streamed; use a Readable. */
export type ObjectBody = Buffer | Uint8Array | Readable;

/** A stream whose exact length is known up front, as a multipart part must declare it. */
export interface SizedStream {
  readonly stream: Readable;
  readonly length: number;
}

/** Bytes `start` (inclusive) to `end` (exclusive) of an object; `end` past the object's size is clamped. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutOptions {
  readonly contentType?: string;
}

export interface ObjectSummary {
  readonly key: string;
  readonly size: number;
  /** When the object was last written (what a retention rule counts from). */
  readonly lastModified: Date;
}

export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
}

export interface ObjectStore {
  /** Writes (or replaces) an object; a Readable is uploaded as it is read, without buffering it whole. */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<void>;
  /** Reads an object, or the given part of it. Throws {@link ObjectNotFoundError}. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** The object's size, or null when there is no such object. */
  head(key: string): Promise<{ size: number } | null>;
  /** Removes an object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ObjectSummary[]>;
  /** A URL that lets its holder GET the object for `seconds` without other credentials. */
  presignGet(key: string, seconds: number): Promise<string>;
  /** A URL that lets its holder PUT the object for `seconds` without other credentials. */
  presignPut(key: string, seconds: number): Promise<string>;
  /**
   * Joins `sources`, in order, into the object `key` and returns its size. Where the store can, the bytes are
   * copied inside it rather than read and written back (S3's UploadPartCopy).
   *
   * @throws ObjectNotFoundError when a source does not exist.
   */
  concatenate(key: string, sources: readonly string[]): Promise<number>;
  /** Starts a multipart upload and returns its id. */
  createMultipart(key: string): Promise<string>;
  /** Uploads part `partNumber` (1-based) and returns its ETag, needed to complete the upload. */
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array | SizedStream,
  ): Promise<string>;
  /** Joins the parts, in partNumber order, into the object. */
  completeMultipart(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void>;
  /** Drops a multipart upload and the parts uploaded so far. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

/** The object a read asked for does not exist. */
export class ObjectNotFoundError extends DomainError {
  override name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`No object at ${key}`);
  }
}
