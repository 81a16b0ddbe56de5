import { once } from 'node:events';
import type { Readable, Transform, Writable } from 'node:stream';
import { ScoringError } from '../../domain/errors.js';
import { CsvWriter } from '../csv/csv-writer.js';
import { type CsvDialect, isUtf8 } from '../csv/dialect.js';
import { recordBlocks } from '../csv/record-blocks.js';
import { CsvEncodingError, CsvFormatError, fieldText, RecordTokenizer } from '../csv/record-tokenizer.js';
import { decodeToUtf8, encodeFromUtf8, stripUtf8Bom } from '../csv/transcode.js';
import type { LoadedModel } from '../model/load-model.js';
import { BatchScorer, emptyCounts, type ScoreCounts } from './batch-scorer.js';
import type { ScoringOptions } from './scoring-options.js';

/** What a finished run reports. */
export interface ScoreSummary extends ScoreCounts {
  bytesIn: number;
  bytesOut: number;
  seconds: number;
}

export interface ScoreStreamOptions {
  readonly scoring: ScoringOptions;
  readonly dialect: CsvDialect;
  /** Called after each block of records with the running totals. */
  readonly onProgress?: (progress: ScoreSummary) => void;
  /** Bytes of whole records scored at a time; bounds memory together with the batch size. */
  readonly blockBytes?: number;
}

const DEFAULT_BLOCK_BYTES = 1 << 20;

/**
 * Scores a whole CSV stream in one pass: input bytes in the dialect's encoding, output in the same encoding, in
 * input order. Memory is bounded by the block and batch sizes, not the file size. Throws ScoringError for input
 * that cannot be scored as a whole (empty, header only, missing columns, malformed CSV, a failed row with
 * abortOnError).
 */
export async function scoreStream(
  model: LoadedModel,
  input: Readable | AsyncIterable<Uint8Array>,
  output: Writable,
  options: ScoreStreamOptions,
): Promise<ScoreSummary> {
  const started = process.hrtime.bigint();
  const summary: ScoreSummary = { ...emptyCounts(), bytesIn: 0, bytesOut: 0, seconds: 0 };
  const counted = countBytes(input, (n) => {
    summary.bytesIn += n;
  });
  const decoder = decodeToUtf8(options.dialect.encoding);
  const source: AsyncIterable<Uint8Array> = decoder ? pipeThrough(counted, decoder) : counted;
  const encoder = encodeFromUtf8(options.dialect.encoding);
  const sink = encoder ?? output;
  const encoded = encoder ? encoder.pipe(output) : null;
  const writer = new CsvWriter(options.dialect, 1 << 20);
  let scorer: BatchScorer | null = null;
  const emit = async (): Promise<void> => {
    const bytes = writer.take();
    if (bytes.length === 0) return;
    summary.bytesOut += bytes.length;
    if (!sink.write(bytes)) await once(sink, 'drain');
  };
  try {
    for await (let block of recordBlocks(source, options.dialect, {
      minBytes: options.blockBytes ?? DEFAULT_BLOCK_BYTES,
    })) {
      let start = 0;
      if (scorer === null) {
        if (isUtf8(options.dialect)) block = Buffer.from(stripUtf8Bom(block));
        const parsed = readHeader(block, options.dialect);
        scorer = new BatchScorer(model, options.scoring, parsed.names, options.dialect);
        scorer.writeHeader(writer);
        start = parsed.end;
      }
      await scorer.scoreBlock(block, start, block.length, writer, summary);
      await emit();
      summary.seconds = elapsed(started);
      options.onProgress?.({ ...summary });
    }
    await scorer?.finish();
    await emit();
  } catch (error) {
    throw asScoringError(error);
  }
  if (scorer === null) throw new ScoringError('the input is empty: expected a header row and data rows');
  if (summary.rows === 0) throw new ScoringError('the input has a header row but no data rows');
  sink.end();
  await once(encoded ?? output, 'finish');
  summary.seconds = elapsed(started);
  return summary;
}

/** Parses the header record at the start of a block: column names and the offset of the first data record. */
export function readHeader(block: Uint8Array, dialect: CsvDialect): { names: string[]; end: number } {
  const tokenizer = new RecordTokenizer(dialect);
  const end = tokenizer.next(block, 0, block.length, true);
  const names: string[] = [];
  for (let i = 0; i < tokenizer.fieldCount; i++) names.push(fieldText(block, tokenizer, i));
  if (names.length === 1 && names[0] === '') throw new ScoringError('the header row is empty');
  return { names, end: end < 0 ? block.length : end };
}

/** Maps CSV-level failures to ScoringError so callers see one kind of "this data cannot be scored" error. */
export function asScoringError(error: unknown): unknown {
  if (error instanceof CsvFormatError)
    return new ScoringError(`malformed CSV: ${error.message}`, { cause: error });
  if (error instanceof CsvEncodingError) {
    return new ScoringError(`${error.message}; check csvSettings.encoding`, { cause: error });
  }
  return error;
}

async function* countBytes(
  input: Readable | AsyncIterable<Uint8Array>,
  add: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const piece of input as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    add(bytes.length);
    yield bytes;
  }
}

async function* pipeThrough(
  source: AsyncIterable<Uint8Array>,
  transform: Transform,
): AsyncGenerator<Uint8Array> {
  const feeding = (async () => {
    try {
      for await (const piece of source) {
        if (!transform.write(piece)) await once(transform, 'drain');
      }
      transform.end();
    } catch (error) {
      transform.destroy(error as Error);
    }
  })();
  yield* transform as AsyncIterable<Uint8Array>;
  await feeding;
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
