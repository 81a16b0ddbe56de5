/**
 * The embedded stack's stand-in for S3 → EventBridge → s3-drop: s3rver reports every object it stores; objects
 * created under `drops/` are handed, as the EventBridge event AWS would deliver, to the same handler the Lambda
 * runs. A burst of drops queues here and is handled a few at a time (like Lambda's bounded concurrency), with
 * retries, so none is lost while the stack runs.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { DropDetail, DropEvent } from '../functions/s3-drop.js';
import { DROP_ROOT } from '../shared/domain/job-definition.js';

/** The part of an s3rver event record this reads (the S3 notification format). */
export interface S3rverEvent {
  readonly Records: readonly {
    readonly eventName: string;
    readonly eventTime: string;
    readonly s3: {
      readonly bucket: { readonly name: string };
      readonly object: { readonly key: string; readonly eTag?: string; readonly sequencer?: string };
    };
  }[];
}

export interface S3DropListenerOptions {
  /** Handles one drop (functions/s3-drop.ts `handler`). */
  readonly handle: (event: DropEvent) => Promise<unknown>;
  /** Called for a drop whose handling still failed after the retries. */
  readonly onError: (error: unknown, key: string) => void;
  /** Drops handled at once; default 4. */
  readonly concurrency?: number;
  /** Attempts per drop; default 5. */
  readonly attempts?: number;
  /** Wait before the n-th retry: n times this; default 1000 ms. */
  readonly retryDelayMs?: number;
}

export class S3DropListener {
  private readonly queue: DropEvent[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: S3DropListenerOptions) {}

  /** Takes one s3rver event; only object creations under `drops/` are queued. */
  readonly accept = (event: S3rverEvent): void => {
    for (const record of event.Records) {
      if (this.stopped || !record.eventName.startsWith('ObjectCreated:')) continue;
      if (!record.s3.object.key.startsWith(DROP_ROOT)) continue;
      this.queue.push(toEventBridgeEvent(record));
    }
    this.pump();
  };

  /** Resolves once every drop accepted so far has been handled (or given up on). */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Accepts no more drops and waits for the ones being handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.idle();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    while (this.running < concurrency && this.queue.length > 0) {
      const event = this.queue.shift() as DropEvent;
      this.running++;
      void this.handleWithRetries(event).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private async handleWithRetries(event: DropEvent): Promise<void> {
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handle(event);
        return;
      } catch (error) {
        if (attempt >= attempts || this.stopped) {
          this.options.onError(error, event.detail.object.key);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 1000) * attempt));
      }
    }
  }
}

function toEventBridgeEvent(record: S3rverEvent['Records'][number]): DropEvent {
  const { bucket, object } = record.s3;
  const event: EventBridgeEvent<'Object Created', DropDetail> = {
    version: '0',
    id: `local-${object.key}-${object.sequencer ?? ''}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: record.eventTime,
    region: 'local',
    resources: [`arn:aws:s3:::${bucket.name}`],
    detail: {
      bucket: { name: bucket.name },
      object: { key: object.key, etag: object.eTag, sequencer: object.sequencer },
    },
  };
  return event;
}
