/** Test doubles for the local ASL executor: an in-memory object store, a recording sleep, deferred promises. */
import type { JsonObjectStore } from '../../../../local/asl/object-store.js';

export interface MemoryObjects extends JsonObjectStore {
  readonly objects: Map<string, unknown>;
}

/** An object store over a Map keyed `bucket/key`. */
export function memoryObjects(initial: Record<string, unknown> = {}): MemoryObjects {
  const objects = new Map<string, unknown>(Object.entries(initial));
  return {
    objects,
    async getJson(bucket, key) {
      const path = `${bucket}/${key}`;
      if (!objects.has(path)) throw Object.assign(new Error(`NoSuchKey: ${path}`), { name: 'NoSuchKey' });
      return structuredClone(objects.get(path));
    },
    async putJson(bucket, key, value) {
      objects.set(`${bucket}/${key}`, structuredClone(value));
    },
  };
}

/** A sleep that returns at once and records the requested delays. */
export function recordingSleep(): { readonly delays: number[]; sleep(ms: number): Promise<void> } {
  const delays: number[] = [];
  return {
    delays,
    async sleep(ms) {
      delays.push(ms);
    },
  };
}

/** A promise with its resolve function, for tasks a test releases by hand. */
export function deferred(): { readonly promise: Promise<void>; resolve(): void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Lets pending promise callbacks and immediate timers run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** An error with a given name, as a task handler throws it. */
export function namedError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const SCORE_CHUNK_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:score-chunk';

/**
 * A definition shaped like Batchline's job workflow: Prepare -> Distributed Map over the chunk manifest (ItemReader,
 * MaxConcurrencyPath) -> Finalize, each catching into HandleFailure -> JobFailed.
 */
export function jobDefinition(): Record<string, unknown> {
  const toFailure = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'HandleFailure' }];
  return {
    StartAt: 'Prepare',
    States: {
      Prepare: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:prepare',
          Payload: { 'jobId.$': '$.jobId', 'executionId.$': '$$.Execution.Id' },
        },
        ResultSelector: {
          'manifestKey.$': '$.Payload.manifestKey',
          'numConcurrent.$': '$.Payload.numConcurrent',
        },
        ResultPath: '$.prepared',
        Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: toFailure,
        Next: 'ScoreChunks',
      },
      ScoreChunks: {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { Bucket: 'jobs', 'Key.$': '$.prepared.manifestKey' },
        },
        MaxConcurrencyPath: '$.prepared.numConcurrent',
        ItemSelector: {
          'jobId.$': '$.jobId',
          'chunk.$': '$$.Map.Item.Value',
          'index.$': '$$.Map.Item.Index',
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'ScoreChunk',
          States: {
            ScoreChunk: {
              Type: 'Task',
              Resource: SCORE_CHUNK_ARN,
              Retry: [
                { ErrorEquals: ['TransientError'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 },
              ],
              End: true,
            },
          },
        },
        ToleratedFailurePercentage: 0,
        ResultPath: null,
        Catch: toFailure,
        Next: 'Finalize',
      },
      Finalize: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'finalize', Payload: { 'jobId.$': '$.jobId' } },
        OutputPath: '$.Payload',
        Catch: toFailure,
        End: true,
      },
      HandleFailure: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: 'fail-job',
          Payload: { 'jobId.$': '$.jobId', 'error.$': '$.failure.Error', 'cause.$': '$.failure.Cause' },
        },
        ResultPath: null,
        Next: 'JobFailed',
      },
      JobFailed: { Type: 'Fail', Error: 'JobFailed', Cause: 'The job was aborted; see its statusDetails' },
    },
  };
}
