/**
 * Which worker scores a chunk: the Lambda chunk scorer (the default: no start-up, pay per millisecond) or the
 * Fargate task, for chunks whose work would not fit a Lambda invocation.
 *
 * The rule: a chunk goes to Fargate when either estimate exceeds the Lambda worker's limit.
 * - Memory: BASELINE_MB + MODEL_FACTOR x model bytes + CHUNK_FACTOR x chunk bytes must stay within
 *   MEMORY_HEADROOM of the function's memory. The model factor covers the ONNX bytes read from S3, the protobuf
 *   decoded for the model description and onnxruntime's own copy of the initializers; the chunk factor the raw
 *   chunk, its decoded records and columns, and the scored output buffered before it is written.
 * - Time: the chunk at MIN_BYTES_PER_SECOND must finish within TIME_HEADROOM of the function's timeout.
 * Both estimates are deliberately pessimistic: a chunk sent to Fargate needlessly costs a task start (about a
 * minute); a chunk kept on Lambda wrongly fails the job.
 */

/** The worker that scores a chunk, as written in `chunk-items.json` and chosen by the state machine. */
export type ChunkWorker = 'lambda' | 'fargate';

export interface WorkerLimits {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/**
 * The Lambda chunk scorer's size (the stack sizes the function from this). 3008 MB is the most new accounts may
 * configure, and about 1.7 vCPU; 15 minutes is Lambda's maximum.
 */
export const LAMBDA_WORKER_LIMITS: WorkerLimits = { memoryMb: 3008, timeoutSeconds: 900 };

const MiB = 1024 * 1024;
/** Node, onnxruntime's native library and the SDK clients, before any model or data. */
const BASELINE_MB = 350;
const MODEL_FACTOR = 4;
const CHUNK_FACTOR = 6;
const MEMORY_HEADROOM = 0.8;
/** A floor for the engine's scoring rate on one Lambda vCPU with a large model; typical rates are far higher. */
const MIN_BYTES_PER_SECOND = 0.5 * MiB;
const TIME_HEADROOM = 0.66;

export interface ChunkWork {
  /** Size of the ONNX model file. */
  readonly modelBytes: number;
  /** Size of the chunk's input byte range. */
  readonly chunkBytes: number;
}

/** Estimated peak memory, in MB, of scoring `work` in one process. */
export function estimatedPeakMb(work: ChunkWork): number {
  return BASELINE_MB + (MODEL_FACTOR * work.modelBytes + CHUNK_FACTOR * work.chunkBytes) / MiB;
}

/** Estimated scoring time of `work`, in seconds, at the floor rate. */
export function estimatedSeconds(work: ChunkWork): number {
  return work.chunkBytes / MIN_BYTES_PER_SECOND;
}

/** The worker for `work`: Lambda when both estimates fit `lambda`'s limits with headroom, otherwise Fargate. */
export function chooseWorker(work: ChunkWork, lambda: WorkerLimits = LAMBDA_WORKER_LIMITS): ChunkWorker {
  const fitsMemory = estimatedPeakMb(work) <= MEMORY_HEADROOM * lambda.memoryMb;
  const fitsTime = estimatedSeconds(work) <= TIME_HEADROOM * lambda.timeoutSeconds;
  return fitsMemory && fitsTime ? 'lambda' : 'fargate';
}
