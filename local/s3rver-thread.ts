/**
 * The embedded stack's S3 emulator, s3rver, in a thread of its own. s3rver moves every object through
 * short-lived buffers, and V8 answers the external memory they count with garbage collections of the heap they
 * were allocated on. On the main thread that heap also holds the synthesized CDK app (about 85 MB), and while a
 * 1M-row job ran the main thread marked it in full every 50-500 ms. Here the heap is s3rver's own few MB.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { workerSettings } from './entry-thread.js';
import type { S3rverEvent } from './s3-drop-listener.js';
import { patchS3rverStore } from './s3rver-store-patches.js';

/** Where s3rver keeps its files and listens. */
export interface S3rverThreadSettings {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly directory: string;
}

/** What the thread tells its starter: the port it listens on, then every object event. */
export type S3rverThreadMessage =
  | { readonly kind: 'listening'; readonly port: number }
  | { readonly kind: 'event'; readonly event: S3rverEvent };

// s3rver ships no type declarations; these are the parts used here.
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

const port = parentPort;
if (port === null) throw new Error('s3rver-thread runs in a worker thread');
const settings = workerSettings() as S3rverThreadSettings;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

patchS3rverStore();
const s3 = new S3rver({
  address: settings.host,
  port: settings.port,
  directory: settings.directory,
  silent: true,
});
s3.on('event', (event) => port.postMessage({ kind: 'event', event } satisfies S3rverThreadMessage));
const address = await s3.run();
port.postMessage({ kind: 'listening', port: address.port } satisfies S3rverThreadMessage);
// Any message asks the thread to stop: it closes the server, then ends (process.exit ends only this thread).
port.once('message', () => {
  s3.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
