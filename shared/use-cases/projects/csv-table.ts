/**
 * Whole small CSV files as tables of strings: prediction and training datasets (API-sized, at most a few MB) and
 * the batch output a project job leaves. Reading uses the engine's tokenizer, so a file reads here exactly as the
 * scoring engine will read it; the scoring itself never goes through this module.
 */
import { resolveDialect } from '../../engine/csv/dialect.js';
import { CsvEncodingError, CsvFormatError } from '../../engine/csv/errors.js';
import { fieldText, RecordTokenizer } from '../../engine/csv/record-tokenizer.js';
import { stripUtf8Bom } from '../../engine/csv/transcode.js';

export interface CsvTable {
  readonly header: string[];
  readonly rows: string[][];
}

/** The CSV could not be read; the message says where. */
export class CsvTableError extends Error {
  override name = 'CsvTableError';
}

/**
 * Parses UTF-8 CSV (comma, double quote) into its header and data rows; blank lines are skipped.
 *
 * @throws CsvTableError for an empty file, a malformed quote, invalid UTF-8, or a row whose field count differs
 *   from the header's.
 */
export function readCsvTable(bytes: Uint8Array): CsvTable {
  const buf = stripUtf8Bom(bytes);
  const tokenizer = new RecordTokenizer(resolveDialect({}));
  const records: string[][] = [];
  let pos = 0;
  try {
    while (pos < buf.length) {
      pos = tokenizer.next(buf, pos, buf.length, true);
      const blank = tokenizer.fieldCount === 1 && tokenizer.starts[0] === tokenizer.ends[0];
      if (blank) continue;
      const fields: string[] = [];
      for (let i = 0; i < tokenizer.fieldCount; i++) fields.push(fieldText(buf, tokenizer, i));
      records.push(fields);
    }
  } catch (error) {
    if (error instanceof CsvFormatError || error instanceof CsvEncodingError) {
      throw new CsvTableError(error.message);
    }
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw new CsvTableError('the file is empty: expected a header row');
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new CsvTableError(
        `data row ${i + 1} has ${row.length} fields but the header has ${header.length}`,
      );
    }
  });
  return { header, rows };
}

/** Writes a table as UTF-8 CSV with `\n` line ends, quoting only the fields that need it. */
export function writeCsvTable(table: CsvTable): Buffer {
  const line = (fields: readonly string[]) => fields.map(quoted).join(',');
  return Buffer.from(`${[table.header, ...table.rows].map(line).join('\n')}\n`);
}

function quoted(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
