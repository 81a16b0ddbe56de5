/**
 * The embedded stack's stand-ins for S3 and DynamoDB: s3rver and dynalite, run in this process on
 * 127.0.0.1, keeping their data under one directory so a restarted stack finds its jobs and files again.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { S3rverEvent } from './s3-drop-listener.js';
import { patchS3rverStore } from './s3rver-store-patches.js';

// Neither package ships type declarations; these are the parts used here.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  /** Every object stored or deleted, in S3's notification format. */
  on(event: 'event', listener: (event: S3rverEvent) => void): void;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
}) => S3rverServer;
type DynaliteFactory = (options: {
  path?: string;
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => Server;

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverConstructor;
const dynalite = require('dynalite') as DynaliteFactory;

const HOST = '127.0.0.1';

export interface EmulatorOptions {
  /** Directory for s3rver's files (`<dataDir>/s3`) and dynalite's LevelDB (`<dataDir>/dynamodb`). */
  readonly dataDir: string;
  /** 0 (the default) picks a free port. */
  readonly s3Port?: number;
  /** 0 (the default) picks a free port. */
  readonly dynamoPort?: number;
  /** Told of every object s3rver stores or deletes (the stand-in for S3's event notifications). */
  readonly onS3Event?: (event: S3rverEvent) => void;
}

export interface RunningEmulators {
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  /** Stops both servers and closes their stores. */
  stop(): Promise<void>;
}

/** Starts s3rver and dynalite; both are listening when the promise resolves. */
export async function startEmulators(options: EmulatorOptions): Promise<RunningEmulators> {
  patchS3rverStore();
  const s3 = new S3rver({
    address: HOST,
    port: options.s3Port ?? 0,
    directory: join(options.dataDir, 's3'),
    silent: true,
  });
  if (options.onS3Event) s3.on('event', options.onS3Event);
  const s3Address = await s3.run();
  let dynamo: Server;
  try {
    dynamo = await listen(
      // Tables become ACTIVE at once: the default half-second delays only slow local start-up and tests.
      dynalite({
        path: join(options.dataDir, 'dynamodb'),
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
      }),
      options.dynamoPort ?? 0,
    );
  } catch (error) {
    await s3.close();
    throw error;
  }
  const dynamoAddress = dynamo.address() as AddressInfo;
  return {
    s3Endpoint: `http://${HOST}:${s3Address.port}`,
    dynamoEndpoint: `http://${HOST}:${dynamoAddress.port}`,
    stop: async () => {
      await Promise.all([s3.close(), close(dynamo)]);
    },
  };
}

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
