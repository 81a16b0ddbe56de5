/**
 * What the generic read and write code needs from one database connection, implemented per driver
 * (pg-session.ts, mysql-session.ts): statements with parameters, a streaming read, and the dialect's SQL spelling.
 */
import type { SqlDialect } from '../../domain/data-store.js';
import { DataSourceError } from '../../domain/errors.js';
import type { SqlTableName, SqlValue } from '../../ports/sql-database.js';

/** Column types a created table uses; see sql-column-types.ts for how values are classified. */
export type ColumnKind = 'integer' | 'float' | 'text';

/** One open connection. */
export interface SqlSession {
  readonly dialect: SqlDialectSql;
  /** Runs one statement with parameters; returns the rows (as arrays) and the rows the statement affected or matched. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<{ rows: unknown[][]; rowCount: number }>;
  /** Inserts rows into `table` (quoted, qualified) as fast as the driver can: COPY, or multi-row INSERTs. */
  insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void>;
  /** Streams a SELECT in batches of at most `fetchSize` rows, values as text. */
  stream(
    sql: string,
    fetchSize: number,
  ): Promise<{ columns: string[]; batches: AsyncIterable<SqlValue[][]> }>;
  close(): Promise<void>;
}

/** How a dialect spells what the writer generates. */
export interface SqlDialectSql {
  readonly name: SqlDialect;
  /** Rows handed to {@link SqlSession.insertRows} at once. */
  readonly insertBatchRows: (columnCount: number) => number;
  /** The identifier quoted, embedded quote characters doubled. */
  quote(identifier: string): string;
  /** The n-th (1-based) parameter placeholder. */
  placeholder(n: number): string;
  /** `a` equals `b`, NULL matching NULL. */
  nullSafeEquals(a: string, b: string): string;
  columnType(kind: ColumnKind): string;
  /** A query returning one row with a non-null first value when the table exists, and its parameters. */
  readonly tableExistsSql: (name: SqlTableName) => { sql: string; params: SqlValue[] };
  /**
   * Labels the session with a write's id where the database shows such labels to its operators (PostgreSQL's
   * application_name in pg_stat_activity), or null. One parameter: the label.
   */
  readonly labelSessionSql: string | null;
  /** Inserts or replaces the progress row (write id, rows committed) of the progress table `qualified`. */
  upsertProgressSql(qualified: string): string;
  /** Type of the progress table's key and counter columns. */
  readonly progressKeyType: string;
}

/** `schema.table` quoted, or the table alone. */
export function qualifiedName(dialect: SqlDialectSql, name: SqlTableName): string {
  return name.schema === undefined
    ? dialect.quote(name.table)
    : `${dialect.quote(name.schema)}.${dialect.quote(name.table)}`;
}

/** Quotes with `q`, doubling it inside; NUL cannot be stored in an identifier by either database. */
export function quoteWith(q: string, identifier: string): string {
  if (identifier.includes('\0')) {
    throw new DataSourceError(
      `the name ${JSON.stringify(identifier)} cannot be used: it contains a NUL character`,
    );
  }
  return `${q}${identifier.replaceAll(q, q + q)}${q}`;
}
