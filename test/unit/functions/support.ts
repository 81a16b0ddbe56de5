/** Stand-ins for the Lambda side of handler tests: an API key store, proxy events and a response stream. */
import { Writable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ResponseMetadata } from '../../../functions/download.js';
import { type ApiKeyRecord, generateApiKey } from '../../../shared/domain/api-key.js';
import { ConflictError } from '../../../shared/domain/errors.js';
import type { ApiKeyStore } from '../../../shared/ports/api-key-store.js';

/** Keys by hash, in memory; refuses a second key with the same hash as the DynamoDB store does. */
export class InMemoryApiKeys implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  async create(record: ApiKeyRecord): Promise<void> {
    if (this.records.has(record.hash)) throw new ConflictError('An API key with this hash already exists');
    this.records.set(record.hash, record);
  }
  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.records.get(hash) ?? null;
  }
  async list(ownerId: string): Promise<ApiKeyRecord[]> {
    return [...this.records.values()].filter((record) => record.ownerId === ownerId);
  }
  async revoke(ownerId: string, id: string): Promise<boolean> {
    const record = [...this.records.values()].find((r) => r.ownerId === ownerId && r.id === id);
    if (!record) return false;
    this.records.set(record.hash, { ...record, revoked: true });
    return true;
  }

  /** Stores a new key of `ownerId` and returns the key itself. */
  async issue(ownerId: string): Promise<string> {
    const { key, hash, prefix } = generateApiKey();
    await this.create({
      id: `key-${this.records.size}`,
      ownerId,
      name: 'test',
      hash,
      prefix,
      admin: false,
      created: new Date().toISOString(),
      revoked: false,
    });
    return key;
  }
}

/** A proxy event for `GET /api/v2/batchPredictions/<id>/download/` as API Gateway REST sends it. */
export function downloadEvent(jobId: string, key: string | null, method = 'GET'): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path: `/api/v2/batchPredictions/${jobId}/download/`,
    resource: '/api/v2/batchPredictions/{id}/download',
    pathParameters: { id: jobId },
    headers: key === null ? {} : { Authorization: `Token ${key}` },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    body: null,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
}

/** A response stream that records the prelude, the body and how the stream ended. */
export class RecordingResponse {
  metadata: ResponseMetadata | null = null;
  private readonly pieces: Buffer[] = [];
  ended = false;
  destroyedWith: Error | null = null;
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      this.pieces.push(Buffer.from(chunk));
      callback();
    },
    final: (callback) => {
      this.ended = true;
      callback();
    },
    destroy: (error, callback) => {
      this.destroyedWith = error;
      callback(null);
    },
  });

  /** What Lambda's HttpResponseStream.from does, for a test: remember the metadata, write the body here. */
  readonly respond = (stream: Writable, metadata: ResponseMetadata): Writable => {
    this.metadata = metadata;
    return stream;
  };

  body(): Buffer {
    return Buffer.concat(this.pieces);
  }

  json(): Record<string, unknown> {
    return JSON.parse(this.body().toString('utf8')) as Record<string, unknown>;
  }
}
