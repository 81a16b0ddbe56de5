/**
 * The embedded stack's stand-ins for S3 and DynamoDB: s3rver (in a thread of its own) and dynalite, run in this
 * process on 127.0.0.1, keeping their data under one directory so a restarted stack finds its jobs and files again.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { siblingModule, startEntryThread } from './entry-thread.js';
import type { S3rverEvent } from './s3-drop-listener.js';
import type { S3rverThreadMessage, S3rverThreadSettings } from './s3rver-thread.js';

// dynalite ships no type declarations; this is the part used here.
type DynaliteFactory = (options: {
  path?: string;
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => Server;

const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

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
  const s3 = await startS3rverThread(
    { host: HOST, port: options.s3Port ?? 0, directory: join(options.dataDir, 's3') },
    options.onS3Event,
  );
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
    await s3.stop();
    throw error;
  }
  const dynamoAddress = dynamo.address() as AddressInfo;
  return {
    s3Endpoint: `http://${HOST}:${s3.port}`,
    dynamoEndpoint: `http://${HOST}:${dynamoAddress.port}`,
    stop: async () => {
      await Promise.all([s3.stop(), close(dynamo)]);
    },
  };
}

/**
 * Starts s3rver in its own thread (see s3rver-thread.ts for why) and resolves once it listens; its object
 * events are handed to `onEvent` here.
 */
async function startS3rverThread(
  settings: S3rverThreadSettings,
  onEvent?: (event: S3rverEvent) => void,
): Promise<{ readonly port: number; stop(): Promise<void> }> {
  const thread = startEntryThread(siblingModule('s3rver-thread', import.meta.url), settings);
  // Also when the thread died earlier: stopping then has nothing left to wait for.
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  let listening = false;
  const port = await new Promise<number>((resolve, reject) => {
    thread.on('error', (error) => {
      // Once it listens, a failure shows up as refused S3 calls; this says why.
      if (listening) console.error('the s3rver thread failed:', error);
      else reject(error);
    });
    thread.once('exit', (code) =>
      reject(new Error(`the s3rver thread exited with code ${code} before listening`)),
    );
    thread.on('message', (message: S3rverThreadMessage) => {
      if (message.kind === 'listening') {
        listening = true;
        resolve(message.port);
      } else onEvent?.(message.event);
    });
  });
  return {
    port,
    stop: async () => {
      thread.postMessage('stop');
      await exited;
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
