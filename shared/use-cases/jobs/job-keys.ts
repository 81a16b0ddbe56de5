/**
 * Where a job's data lives in the object store (docs/api.md, "Object layout"). Part and chunk numbers are
 * zero-padded to six digits so that key order is numeric order.
 */

const PAD = 6;
const MAX_NUMBER = 10 ** PAD - 1;

function padded(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_NUMBER) {
    throw new RangeError(`Expected an integer from 0 to ${MAX_NUMBER}, got ${n}`);
  }
  return String(n).padStart(PAD, '0');
}

/** Everything stored for a job. */
export const jobPrefix = (jobId: string): string => `jobs/${jobId}/`;
/** The uploaded input parts. */
export const inputPrefix = (jobId: string): string => `jobs/${jobId}/input/`;
/** One uploaded input part (part 0 for a single upload). */
export const inputPartKey = (jobId: string, part: number): string => `${inputPrefix(jobId)}${padded(part)}`;
/** UTF-8 copies of the input parts, made when the input's encoding cannot be split on raw bytes. */
export const transcodedPrefix = (jobId: string): string => `jobs/${jobId}/input-utf8/`;
export const transcodedPartKey = (jobId: string, part: number): string =>
  `${transcodedPrefix(jobId)}${padded(part)}`;
/** The chunk plan written by prepare. */
export const chunkPlanKey = (jobId: string): string => `jobs/${jobId}/chunks.json`;
/** The items the state machine's Distributed Map reads (one per chunk, with its worker). */
export const chunkItemsKey = (jobId: string): string => `jobs/${jobId}/chunk-items.json`;
/** The output header record. */
export const outputHeaderKey = (jobId: string): string => `jobs/${jobId}/output-header`;
/** Scored output of the chunks, one object per chunk. */
export const partsPrefix = (jobId: string): string => `jobs/${jobId}/parts/`;
export const partKey = (jobId: string, index: number): string => `${partsPrefix(jobId)}${padded(index)}`;
/** The output header and then every chunk's scored part: the output, in order. */
export const outputPieceKeys = (jobId: string, chunksTotal: number): string[] => [
  outputHeaderKey(jobId),
  ...Array.from({ length: chunksTotal }, (_, i) => partKey(jobId, i)),
];
/** The assembled output of a COMPLETED job. */
export const outputKey = (jobId: string): string => `jobs/${jobId}/output`;

/** The part number at the end of an input part's key, or null when the key is not one. */
export function inputPartNumber(jobId: string, key: string): number | null {
  const prefix = inputPrefix(jobId);
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : '';
  return /^\d{6}$/.test(rest) ? Number(rest) : null;
}
