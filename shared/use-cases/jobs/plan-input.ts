/**
 * Plans a job's uploaded input into chunks of whole records. A multipart upload is several CSV files, each with
 * its own header row: all headers must be the same, and each part's records are planned after its header.
 */
import { ScoringError } from '../../domain/errors.js';
import type { CsvDialect } from '../../engine/csv/dialect.js';
import { planChunks } from '../../engine/csv/record-blocks.js';
import { decodeToUtf8 } from '../../engine/csv/transcode.js';
import { asScoringError } from '../../engine/scoring/score-stream.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { JobChunk, JobChunkPlan } from './chunk-plan.js';
import { needsTranscoding, scoringDialect } from './job-encoding.js';
import { inputPartKey, inputPartNumber, inputPrefix, transcodedPartKey } from './job-keys.js';
import { readObject } from './object-bytes.js';

interface PlannedPart {
  readonly part: number;
  readonly header: Buffer;
}

/**
 * Lists the job's input parts, transcodes them to UTF-8 when the dialect requires it (see job-encoding.ts) and
 * plans chunks of about `chunkBytes(inputBytes)` bytes, numbered across parts in part order.
 *
 * @throws ScoringError when the input is empty, has no data rows, is malformed CSV, or its parts' headers differ.
 */
export async function planJobInput(
  objects: ObjectStore,
  jobId: string,
  dialect: CsvDialect,
  chunkBytes: (inputBytes: number) => number,
): Promise<JobChunkPlan> {
  const listed = await listInputParts(objects, jobId);
  const parts = listed.map((p) => p.part);
  const target = chunkBytes(listed.reduce((sum, p) => sum + p.size, 0));
  const transcoded = needsTranscoding(dialect);
  const planDialect = scoringDialect(dialect, transcoded);
  const chunks: JobChunk[] = [];
  let first: PlannedPart | null = null;
  let totalBytes = 0;
  for (const part of parts) {
    const key = transcoded ? transcodedPartKey(jobId, part) : inputPartKey(jobId, part);
    if (transcoded) await transcodePart(objects, inputPartKey(jobId, part), key, dialect.encoding);
    const plan = await planPart(objects, key, planDialect, target, parts.length > 1 ? part : null);
    totalBytes += plan.totalBytes;
    if (plan.totalBytes === 0) continue;
    const header = await readObject(objects, key, plan.headerRange);
    if (first === null) first = { part, header };
    else checkSameHeader(first, { part, header });
    for (const { start, end } of plan.chunks) chunks.push({ index: chunks.length, part, start, end });
  }
  if (first === null) throw new ScoringError('the input is empty: expected a header row and data rows');
  if (chunks.length === 0) throw new ScoringError('the input has a header row but no data rows');
  return { header: first.header, totalBytes, transcoded, chunks };
}

async function listInputParts(
  objects: ObjectStore,
  jobId: string,
): Promise<{ part: number; size: number }[]> {
  const listed = await objects.list(inputPrefix(jobId));
  const parts = listed.flatMap((o) => {
    const part = inputPartNumber(jobId, o.key);
    return part === null ? [] : [{ part, size: o.size }];
  });
  return parts.sort((a, b) => a.part - b.part);
}

async function planPart(
  objects: ObjectStore,
  key: string,
  dialect: CsvDialect,
  chunkBytes: number,
  partLabel: number | null,
): ReturnType<typeof planChunks> {
  try {
    return await planChunks(await objects.get(key), dialect, chunkBytes);
  } catch (error) {
    const scoring = asScoringError(error);
    if (partLabel !== null && scoring instanceof ScoringError) {
      throw new ScoringError(`input part ${partLabel}: ${scoring.message}`, { cause: error });
    }
    throw scoring;
  }
}

function checkSameHeader(first: PlannedPart, other: PlannedPart): void {
  if (withoutTerminator(first.header).equals(withoutTerminator(other.header))) return;
  throw new ScoringError(
    `input part ${other.part} has a different header row than part ${first.part}: every part of a multipart ` +
      `upload must start with the same header (part ${first.part}: ${preview(first.header)}; part ${other.part}: ${preview(other.header)})`,
  );
}

function withoutTerminator(header: Buffer): Buffer {
  let end = header.length;
  while (end > 0 && (header[end - 1] === 0x0a || header[end - 1] === 0x0d)) end--;
  return header.subarray(0, end);
}

function preview(header: Buffer): string {
  const text = withoutTerminator(header).toString('utf8');
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

/** Streams one part through a decoder into a UTF-8 copy (without a BOM). */
async function transcodePart(
  objects: ObjectStore,
  from: string,
  to: string,
  encoding: string,
): Promise<void> {
  const decoder = decodeToUtf8(encoding);
  if (decoder === null) throw new RangeError(`${encoding} input needs no transcoding`);
  const source = await objects.get(from);
  source.on('error', (error) => decoder.destroy(error));
  await objects.put(to, source.pipe(decoder));
}
