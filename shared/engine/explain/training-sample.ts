/**
 * A training CSV turned into what explanations and warnings need: a deterministic background sample and
 * per-column statistics. One pass over the file, reservoir sampling with a fixed seed, so the same file always
 * gives the same background (and so the same SHAP_BASE_VALUE and warning fences) for a model version.
 */
import { z } from 'zod';
import { ModelError } from '../../domain/errors.js';
import { resolveDialect } from '../csv/dialect.js';
import { CsvEncodingError, CsvFormatError } from '../csv/errors.js';
import { fieldText, RecordTokenizer } from '../csv/record-tokenizer.js';
import { stripUtf8Bom } from '../csv/transcode.js';
import type { Background } from './explanation-manifest.js';

/** Most distinct values a categorical column's statistics list (the most frequent ones). */
export const MAX_CATEGORIES = 20;

export const ColumnStatsSchema = z.strictObject({
  name: z.string(),
  /** numeric when every non-empty cell is a number. */
  kind: z.enum(['numeric', 'categorical']),
  count: z.int().min(0),
  missing: z.int().min(0),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  /** Categorical columns: the most frequent values with their counts (at most {@link MAX_CATEGORIES}). */
  categories: z.array(z.strictObject({ value: z.string(), count: z.int().min(1) })).nullable(),
});
export type ColumnStats = z.infer<typeof ColumnStatsSchema>;

export interface TrainingSample {
  readonly background: Background;
  readonly columns: ColumnStats[];
  /** Data rows in the file. */
  readonly trainingRows: number;
}

/** The fixed seed of the reservoir: part of what pins a background to its training file. */
const SAMPLE_SEED = 0x5eed_0009;

/** mulberry32: a small, well-distributed 32-bit PRNG; deterministic across platforms. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class ColumnAccumulator {
  count = 0;
  missing = 0;
  numeric = true;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  sum = 0;
  readonly values = new Map<string, number>();

  constructor(readonly name: string) {}

  add(text: string): void {
    this.count++;
    const trimmed = text.trim();
    if (trimmed === '') {
      this.missing++;
      return;
    }
    // Counting every distinct value of a numeric column would cost memory for nothing; counts start once a
    // column turns out categorical, so they are exact only for columns that never looked numeric.
    if (this.numeric) {
      const v = Number(trimmed);
      if (Number.isFinite(v)) {
        if (v < this.min) this.min = v;
        if (v > this.max) this.max = v;
        this.sum += v;
        return;
      }
      this.numeric = false;
    }
    this.values.set(trimmed, (this.values.get(trimmed) ?? 0) + 1);
  }

  stats(): ColumnStats {
    const present = this.count - this.missing;
    const numeric = this.numeric && present > 0;
    return {
      name: this.name,
      kind: numeric ? 'numeric' : 'categorical',
      count: this.count,
      missing: this.missing,
      min: numeric ? this.min : null,
      max: numeric ? this.max : null,
      mean: numeric ? this.sum / present : null,
      categories: numeric
        ? null
        : Array.from(this.values, ([value, count]) => ({ value, count }))
            .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
            .slice(0, MAX_CATEGORIES),
    };
  }
}

/**
 * Reads a UTF-8 training CSV (comma, double quote, header row): samples `rows` data rows (all of them when the
 * file has fewer) and computes per-column statistics. Empty cells become null in the background. Throws
 * ModelError naming the problem for an empty file, a malformed record or a row whose width differs from the header.
 */
export function sampleTrainingData(bytes: Uint8Array, rows: number): TrainingSample {
  const buf = stripUtf8Bom(bytes);
  const tokenizer = new RecordTokenizer(resolveDialect({}));
  const next = random(SAMPLE_SEED);
  let header: string[] | null = null;
  let columns: ColumnAccumulator[] = [];
  const reservoir: string[][] = [];
  let seen = 0;
  let pos = 0;
  try {
    while (pos < buf.length) {
      pos = tokenizer.next(buf, pos, buf.length, true);
      if (tokenizer.fieldCount === 1 && tokenizer.starts[0] === tokenizer.ends[0]) continue;
      const fields = Array.from({ length: tokenizer.fieldCount }, (_, i) => fieldText(buf, tokenizer, i));
      if (!header) {
        header = fields;
        columns = fields.map((name) => new ColumnAccumulator(name));
        continue;
      }
      if (fields.length !== header.length) {
        throw new ModelError(
          `training data row ${seen + 1} has ${fields.length} fields but the header has ${header.length}`,
        );
      }
      fields.forEach((text, i) => {
        (columns[i] as ColumnAccumulator).add(text);
      });
      // Algorithm R: row `seen` replaces a random reservoir slot with probability rows / (seen + 1).
      if (reservoir.length < rows) reservoir.push(fields);
      else {
        const slot = Math.floor(next() * (seen + 1));
        if (slot < rows) reservoir[slot] = fields;
      }
      seen++;
    }
  } catch (error) {
    if (error instanceof CsvFormatError || error instanceof CsvEncodingError) {
      throw new ModelError(`the training data is not readable CSV: ${error.message}`, { cause: error });
    }
    throw error;
  }
  if (!header || seen === 0) {
    throw new ModelError('the training data has no data rows: expected a header row and at least one row');
  }
  const names = header;
  return {
    background: reservoir.map((fields) =>
      Object.fromEntries(
        names.map((name, i) => {
          const text = fields[i] as string;
          return [name, text.trim() === '' ? null : text];
        }),
      ),
    ),
    columns: columns.map((c) => c.stats()),
    trainingRows: seen,
  };
}
