/**
 * What a stored dataset version holds: its format (detected from the bytes: Parquet files start and end with
 * `PAR1`, anything else is read as CSV), its data rows and its columns. A file that is neither readable Parquet
 * nor well-formed CSV is refused with a ValidationError on `file`, so a bad upload never becomes a version.
 */
import type { DatasetFormat } from '../../domain/dataset.js';
import { DomainError, ScoringError, ValidationError } from '../../domain/errors.js';
import { resolveDialect } from '../../engine/csv/dialect.js';
import { recordBlocks } from '../../engine/csv/record-blocks.js';
import { RecordTokenizer } from '../../engine/csv/record-tokenizer.js';
import { parquetSummary } from '../../engine/parquet/parquet-to-csv.js';
import type { ObjectStore } from '../../ports/object-store.js';
import { looksLikeParquet, objectRandomAccess } from '../jobs/intake/parquet-input.js';

export interface DatasetShape {
  readonly format: DatasetFormat;
  readonly rowCount: number;
  readonly columnCount: number;
}

/**
 * Inspects the object at `key` (`size` bytes). `field` names the request field a problem is reported on.
 *
 * @throws ValidationError when the bytes are empty, not readable Parquet (they start with `PAR1`), or not
 *   well-formed CSV (e.g. a quote left open).
 */
export async function inspectDataset(
  objects: ObjectStore,
  key: string,
  size: number,
  field: string,
): Promise<DatasetShape> {
  try {
    if (size === 0) throw new ValidationError([{ field, message: 'the file is empty' }]);
    if (await looksLikeParquet(objects, key, size)) {
      const { columns, rowCount } = await parquetSummary(objectRandomAccess(objects, key, size));
      return { format: 'parquet', rowCount, columnCount: columns.length };
    }
    return { format: 'csv', ...(await csvShape(objects, key)) };
  } catch (error) {
    if (error instanceof ValidationError || !(error instanceof DomainError)) throw error;
    throw new ValidationError([{ field, message: error.message }]);
  }
}

/** Counts records with the CSV tokenizer (so quoted line breaks do not count), the header excluded. */
async function csvShape(
  objects: ObjectStore,
  key: string,
): Promise<{ rowCount: number; columnCount: number }> {
  const dialect = resolveDialect();
  const tokenizer = new RecordTokenizer(dialect);
  let records = 0;
  let columnCount = 0;
  for await (const block of recordBlocks(await objects.get(key), dialect)) {
    let pos = 0;
    while (pos < block.length) {
      pos = tokenizer.next(block, pos, block.length, true);
      if (tokenizer.fieldCount === 1 && tokenizer.starts[0] === tokenizer.ends[0]) continue;
      if (records === 0) columnCount = tokenizer.fieldCount;
      records++;
    }
  }
  if (records === 0) throw new ScoringError('the file has no header row');
  return { rowCount: records - 1, columnCount };
}
