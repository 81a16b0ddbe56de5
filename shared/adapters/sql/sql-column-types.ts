/**
 * Column types of a table created for a job's output (statementType create_table, or createTableIfNotExists),
 * inferred from the first rows: a column whose non-empty values all are integers of at most 18 digits is
 * BIGINT, one whose values all are decimal numbers (or inf/nan) is a double, anything else (and a column with
 * no value at all) is TEXT. Values are compared as the scored CSV has them, so `1.0` counts as a float.
 */
import type { SqlValue } from '../../ports/sql-database.js';
import type { ColumnKind } from './sql-session.js';

/** Rows looked at before the table is created. */
export const TYPE_SAMPLE_ROWS = 10_000;

const INTEGER = /^[-+]?\d{1,18}$/;
const FLOAT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^[-+]?(?:inf|infinity|nan)$/i;

/** The kind of each column, by the values in `rows` (each in column order). */
export function inferColumnKinds(columnCount: number, rows: readonly (readonly SqlValue[])[]): ColumnKind[] {
  const kinds: ColumnKind[] = [];
  for (let c = 0; c < columnCount; c++) {
    let kind: ColumnKind | null = null;
    for (const row of rows) {
      const value = row[c];
      if (value === null || value === undefined) continue;
      kind = widen(kind, INTEGER.test(value) ? 'integer' : FLOAT.test(value) ? 'float' : 'text');
      if (kind === 'text') break;
    }
    kinds.push(kind ?? 'text');
  }
  return kinds;
}

function widen(current: ColumnKind | null, next: ColumnKind): ColumnKind {
  if (current === null || current === next) return next;
  if (current === 'text' || next === 'text') return 'text';
  return 'float';
}
