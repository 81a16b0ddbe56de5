/**
 * MySQL and MariaDB through mysql2. Values travel as text (a typeCast returns each field's text, NULL as null),
 * reads stream rows from the server with backpressure, strict SQL mode turns a value that does not fit its column
 * into an error instead of a silent truncation, and a connection runs one statement per query.
 */
import mysql from 'mysql2';
import type { SqlConnection, SqlValue } from '../../ports/sql-database.js';
import { CONNECT_TIMEOUT_MS } from './pg-session.js';
import { type ColumnKind, quoteWith, type SqlDialectSql, type SqlSession } from './sql-session.js';

const COLUMN_TYPES: Readonly<Record<ColumnKind, string>> = {
  integer: 'BIGINT',
  float: 'DOUBLE',
  text: 'TEXT',
};

/** MySQL's (and MariaDB's) spelling. */
export const MYSQL: SqlDialectSql = {
  name: 'mysql',
  // Values are escaped into the statement text; this keeps one statement well below max_allowed_packet.
  insertBatchRows: (columnCount) => Math.max(1, Math.min(2000, Math.floor(20_000 / columnCount))),
  quote: (identifier) => quoteWith('`', identifier),
  placeholder: () => '?',
  nullSafeEquals: (a, b) => `${a} <=> ${b}`,
  columnType: (kind) => COLUMN_TYPES[kind],
  tableExistsSql: (name) => ({
    sql: 'SELECT 1 FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?',
    params: [name.schema ?? null, name.table],
  }),
  upsertProgressSql: (qualified) =>
    `INSERT INTO ${qualified} (write_id, rows_committed, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP) ` +
    'ON DUPLICATE KEY UPDATE rows_committed = VALUES(rows_committed), updated_at = CURRENT_TIMESTAMP',
  progressKeyType: 'VARCHAR(64)',
  labelSessionSql: null,
};

const textOf: mysql.TypeCast = (field) => field.string();

/** Opens a session; throws the driver's error (see sql-errors.ts) when the server cannot be reached or refuses. */
export async function openMysqlSession(connection: SqlConnection): Promise<SqlSession> {
  const conn = mysql.createConnection({
    host: connection.host,
    port: connection.port,
    database: connection.database || undefined,
    user: connection.user,
    password: connection.password,
    ssl: connection.ssl ? { rejectUnauthorized: connection.sslVerify } : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    charset: 'utf8mb4',
    multipleStatements: false,
    supportBigNumbers: true,
    typeCast: textOf,
  });
  // A connection killed while idle emits 'error'; the next statement reports it instead.
  conn.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => conn.connect((error) => (error ? reject(error) : resolve())));
  const session = new MysqlSession(conn);
  await session.execute("SET SESSION sql_mode = CONCAT_WS(',', @@SESSION.sql_mode, 'STRICT_ALL_TABLES')");
  return session;
}

class MysqlSession implements SqlSession {
  readonly dialect = MYSQL;

  constructor(private readonly conn: mysql.Connection) {}

  execute(sql: string, params: readonly SqlValue[] = []) {
    return new Promise<{ rows: unknown[][]; rowCount: number }>((resolve, reject) => {
      this.conn.query({ sql, values: params as SqlValue[], rowsAsArray: true }, (error, result) => {
        if (error) return reject(error);
        if (Array.isArray(result)) return resolve({ rows: result as unknown[][], rowCount: result.length });
        resolve({ rows: [], rowCount: (result as mysql.ResultSetHeader).affectedRows });
      });
    });
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    await this.execute(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`,
      rows.flat(),
    );
  }

  stream(sql: string, fetchSize: number) {
    const query = this.conn.query({ sql, rowsAsArray: true });
    const rows = query.stream({ highWaterMark: fetchSize });
    // The query reports its error through `columns` or the iteration below; the stream repeats it to no listener.
    rows.on('error', () => undefined);
    const columns = new Promise<string[]>((resolve, reject) => {
      query.once('fields', (fields: mysql.FieldPacket[]) => resolve(fields.map((f) => f.name)));
      query.once('error', reject);
      // A statement without a result set (not a SELECT) ends without fields.
      query.once('end', () => resolve([]));
    });
    async function* batches(): AsyncGenerator<SqlValue[][]> {
      let batch: SqlValue[][] = [];
      for await (const row of rows) {
        batch.push(row as SqlValue[]);
        if (batch.length >= fetchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    }
    return columns.then((names) => ({ columns: names, batches: batches() }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.conn.end(() => resolve()));
  }
}
