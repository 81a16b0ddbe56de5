/**
 * SQL databases a job reads from or writes to (JDBC intake and output). Values are always sent as parameters
 * and identifiers quoted, so table and column names cannot inject SQL. Adapter failures the user must fix are
 * thrown as DataSourceError (or ValidationError naming the setting) with messages that never contain the password.
 */
import type { SqlDialect } from '../domain/data-store.js';

/** Where and as whom to connect. */
export interface SqlConnection {
  readonly dialect: SqlDialect;
  readonly host: string;
  readonly port: number;
  /** Empty: the server's default (PostgreSQL: the user's name; MySQL: none, names must carry a schema). */
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** TLS to the server (certificate verified unless `sslVerify` is false). */
  readonly ssl: boolean;
  readonly sslVerify: boolean;
}

/** A table, optionally in a schema (MySQL: a database). */
export interface SqlTableName {
  readonly table: string;
  readonly schema?: string | undefined;
}

/** What an intake reads: the user's SELECT, or every row of a table. */
export type SqlSource = { readonly query: string } | SqlTableName;

/** A cell as text (the database's text form of the value), or null for SQL NULL. */
export type SqlValue = string | null;

/** The rows a read produces: column names first, then the rows in batches of at most `fetchSize`. */
export interface SqlRowReader {
  readonly columns: readonly string[];
  /** Each row in the order of `columns`. Iterating to the end (or breaking off) closes the connection. */
  readonly batches: AsyncIterable<readonly (readonly SqlValue[])[]>;
}

/** DataRobot's JDBC statement types (`insertUpdate`/`createTable` are normalized to these). */
export type SqlStatementType = 'insert' | 'update' | 'insert_update' | 'create_table';

/** How a write applies the rows to the target table. */
export interface SqlWriteSpec {
  readonly target: SqlTableName;
  readonly statementType: SqlStatementType;
  /** Create the table (types from the data) when it does not exist, then write with `statementType`. */
  readonly createTableIfNotExists: boolean;
  /** Columns matching a row for update / insert_update. */
  readonly whereColumns: readonly string[];
  /** Columns an update sets; default every column but `whereColumns`. */
  readonly updateColumns?: readonly string[] | undefined;
  /** Seconds between commits; 0 commits once, at the end. */
  readonly commitIntervalSeconds: number;
  /**
   * Names this write's progress (the job id). The rows committed so far are recorded in the same transaction as
   * the rows themselves, so a write repeated with the same id skips them and never applies a row twice.
   */
  readonly writeId: string;
}

/** What a write did. */
export interface SqlWriteResult {
  /** Rows applied by this call. */
  readonly rowsWritten: number;
  /** Rows a previous attempt with the same writeId had committed, skipped by this call. */
  readonly rowsResumed: number;
}

/** Opens reads and writes against the databases a job names. */
export interface SqlDatabases {
  /** Connects and runs a trivial query (DataRobot's data store connection test); throws as a read would. */
  check(connection: SqlConnection): Promise<void>;
  /** Starts reading `source`; connection, authentication and query errors are thrown here, before any row. */
  read(connection: SqlConnection, source: SqlSource, options: { fetchSize: number }): Promise<SqlRowReader>;
  /** Writes `rows` (each in the order of `columns`) to the table as `spec` says, committing as it goes. */
  write(
    connection: SqlConnection,
    spec: SqlWriteSpec,
    columns: readonly string[],
    rows: AsyncIterable<readonly SqlValue[]>,
  ): Promise<SqlWriteResult>;
}
