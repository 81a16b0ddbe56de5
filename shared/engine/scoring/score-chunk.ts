import iconv from 'iconv-lite';
import { CsvWriter } from '../csv/csv-writer.js';
import { type CsvDialect, isUtf8 } from '../csv/dialect.js';
import { stripUtf8Bom } from '../csv/transcode.js';
import type { LoadedModel } from '../model/load-model.js';
import { BatchScorer, emptyCounts, type ScoreCounts } from './batch-scorer.js';
import { asScoringError, readHeader } from './score-stream.js';
import type { ScoringOptions } from './scoring-options.js';

export interface ChunkScoringOptions {
  readonly scoring: ScoringOptions;
  readonly dialect: CsvDialect;
}

export interface ChunkResult {
  /** Output records of the chunk (no header), in the dialect's encoding. */
  readonly bytes: Buffer;
  readonly counts: ScoreCounts;
}

/**
 * Scores one chunk of whole records. `header` is the input's header record and `chunk` a record-aligned byte
 * range after it (see planChunks), both in the dialect's encoding (an ASCII-compatible one: a chunk of UTF-16
 * cannot be cut on bytes). `outputHeader` + the outputs of every chunk in order equals scoreStream's output.
 */
export async function scoreChunk(
  model: LoadedModel,
  header: Uint8Array,
  chunk: Uint8Array,
  options: ChunkScoringOptions,
): Promise<ChunkResult> {
  const scorer = newScorer(model, header, options);
  const body = toUtf8(chunk, options.dialect);
  const writer = new CsvWriter(options.dialect, Math.max(1024, body.length));
  const counts = emptyCounts();
  try {
    await scorer.scoreBlock(body, 0, body.length, writer, counts);
    await scorer.finish();
  } catch (error) {
    throw asScoringError(error);
  }
  return { bytes: fromUtf8(writer.take(), options.dialect), counts };
}

/** The output header record for an input header, in the dialect's encoding. */
export function outputHeader(model: LoadedModel, header: Uint8Array, options: ChunkScoringOptions): Buffer {
  const writer = new CsvWriter(options.dialect, 1024);
  newScorer(model, header, options).writeHeader(writer);
  return fromUtf8(writer.take(), options.dialect);
}

function newScorer(model: LoadedModel, header: Uint8Array, options: ChunkScoringOptions): BatchScorer {
  try {
    const names = readHeader(stripUtf8Bom(toUtf8(header, options.dialect)), options.dialect).names;
    return new BatchScorer(model, options.scoring, names, options.dialect);
  } catch (error) {
    throw asScoringError(error);
  }
}

function toUtf8(bytes: Uint8Array, dialect: CsvDialect): Uint8Array {
  return isUtf8(dialect) ? bytes : Buffer.from(iconv.decode(Buffer.from(bytes), dialect.encoding), 'utf8');
}

function fromUtf8(bytes: Buffer, dialect: CsvDialect): Buffer {
  return isUtf8(dialect) ? bytes : iconv.encode(bytes.toString('utf8'), dialect.encoding);
}
