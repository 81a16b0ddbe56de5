import { Readable, Writable } from 'node:stream';
import { resolveDialect } from '../../shared/engine/csv/dialect.js';
import { type LoadedModel, loadModel } from '../../shared/engine/model/load-model.js';
import { type ScoreSummary, scoreStream } from '../../shared/engine/scoring/score-stream.js';
import { defaultScoringOptions, type ScoringOptions } from '../../shared/engine/scoring/scoring-options.js';

export interface ScoreTextOptions {
  scoring?: Partial<ScoringOptions>;
  csvSettings?: { delimiter?: string; quotechar?: string; encoding?: string };
  /** Size of the pieces the input arrives in (default: one piece). */
  pieceBytes?: number;
}

/** Collects a stream's output into one Buffer. */
export function collector(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

/** Splits bytes into pieces of `size` (the whole input when size is undefined). */
export function piecesOf(input: Buffer, size?: number): Readable {
  const step = size ?? Math.max(1, input.length);
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += step) parts.push(input.subarray(i, i + step));
  return Readable.from(parts);
}

/** Scores CSV text (or bytes) with an already loaded model; returns the output bytes and the summary. */
export async function scoreWith(
  model: LoadedModel,
  input: string | Buffer,
  opts: ScoreTextOptions = {},
): Promise<{ output: Buffer; text: string; summary: ScoreSummary }> {
  const { sink, bytes } = collector();
  const summary = await scoreStream(
    model,
    piecesOf(Buffer.isBuffer(input) ? input : Buffer.from(input), opts.pieceBytes),
    sink,
    {
      scoring: defaultScoringOptions(opts.scoring),
      dialect: resolveDialect(opts.csvSettings),
    },
  );
  const output = bytes();
  return { output, text: output.toString('utf8'), summary };
}

/** Loads model bytes with a manifest and scores CSV text; disposes the model. */
export async function scoreText(
  modelBytes: Uint8Array,
  manifest: unknown,
  input: string | Buffer,
  opts: ScoreTextOptions = {},
): Promise<{ output: Buffer; text: string; summary: ScoreSummary }> {
  const model = await loadModel(modelBytes, manifest);
  try {
    return await scoreWith(model, input, opts);
  } finally {
    await model.dispose();
  }
}

/**
 * Parses CSV output text into rows of cells: an independent, deliberately simple reader (RFC 4180 quoting, "\n"
 * records) so tests do not check the engine's output with the engine's own tokenizer.
 */
export function cells(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
