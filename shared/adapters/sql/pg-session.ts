/**
 * PostgreSQL through node-postgres. Values travel as text both ways (every type parser returns the server's text
 * form), reads use a server-side cursor in a read-only transaction (FETCH `fetchSize` rows at a time), and every
 * statement uses the extended protocol, which runs exactly one statement. Inserts stream rows through COPY in CSV
 * format, every value quoted so that only NULL is an unquoted empty field (and a value `\.` is no end marker).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlConnection, SqlValue } from '../../ports/sql-database.js';
import {
  type ColumnKind,
  qualifiedName,
  quoteWith,
  type SqlDialectSql,
  type SqlSession,
} from './sql-session.js';

/** Connect (TCP + TLS + authentication) must finish within this, so an unreachable host fails in seconds. */
export const CONNECT_TIMEOUT_MS = 5_000;

const COLUMN_TYPES: Readonly<Record<ColumnKind, string>> = {
  integer: 'BIGINT',
  float: 'DOUBLE PRECISION',
  text: 'TEXT',
};

/** PostgreSQL's spelling. */
export const POSTGRESQL: SqlDialectSql = {
  name: 'postgresql',
  // COPY has no parameter limit; a batch is one COPY statement, so larger batches cost fewer round trips.
  insertBatchRows: () => 10_000,
  quote: (identifier) => quoteWith('"', identifier),
  placeholder: (n) => `$${n}`,
  nullSafeEquals: (a, b) => `${a} IS NOT DISTINCT FROM ${b}`,
  columnType: (kind) => COLUMN_TYPES[kind],
  // to_regclass resolves the name as a query would (search_path included) and is null for a missing table.
  tableExistsSql: (name) => ({ sql: 'SELECT to_regclass($1)', params: [qualifiedName(POSTGRESQL, name)] }),
  upsertProgressSql: (qualified) =>
    `INSERT INTO ${qualified} (write_id, rows_committed, updated_at) VALUES ($1, $2, now()) ` +
    'ON CONFLICT (write_id) DO UPDATE SET rows_committed = EXCLUDED.rows_committed, updated_at = now()',
  progressKeyType: 'VARCHAR(64)',
  labelSessionSql: "SELECT set_config('application_name', $1, false)",
};

const BOOL_OID = 16;
/** Every value as the server's text, booleans as true/false rather than t/f. */
const TEXT_TYPES = {
  getTypeParser: (oid: number) =>
    oid === BOOL_OID ? (v: string) => (v === 't' ? 'true' : 'false') : (v: string) => v,
} as unknown as pg.CustomTypesConfig;

const CURSOR = 'batchline_intake';

/** Opens a session; throws the driver's error (see sql-errors.ts) when the server cannot be reached or refuses. */
export async function openPgSession(connection: SqlConnection): Promise<SqlSession> {
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    database: connection.database || undefined,
    user: connection.user,
    password: connection.password,
    ssl: connection.ssl ? { rejectUnauthorized: connection.sslVerify } : false,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'batchline',
    types: TEXT_TYPES,
  });
  // A connection killed while idle emits 'error' on the client; the next statement reports it instead.
  client.on('error', () => undefined);
  await client.connect();
  return new PgSession(client);
}

class PgSession implements SqlSession {
  readonly dialect = POSTGRESQL;

  constructor(private readonly client: pg.Client) {}

  async execute(sql: string, params: readonly SqlValue[] = []) {
    const result = await this.client.query({
      text: sql,
      values: params as SqlValue[],
      rowMode: 'array',
      queryMode: 'extended',
    } as pg.QueryArrayConfig);
    return { rows: result.rows as unknown[][], rowCount: result.rowCount ?? 0 };
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]) {
    const copy = this.client.query(
      copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`),
    );
    await pipeline(Readable.from([copyCsv(rows)]), copy);
  }

  async stream(sql: string, fetchSize: number) {
    await this.execute('BEGIN READ ONLY');
    await this.execute(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`);
    const fetch = () =>
      this.client.query({
        text: `FETCH FORWARD ${fetchSize} FROM ${CURSOR}`,
        rowMode: 'array',
        queryMode: 'extended',
      } as pg.QueryArrayConfig);
    const first = await fetch();
    const columns = first.fields.map((f) => f.name);
    async function* batches(): AsyncGenerator<SqlValue[][]> {
      let page = first;
      while (page.rows.length > 0) {
        yield page.rows as SqlValue[][];
        if (page.rows.length < fetchSize) break;
        page = await fetch();
      }
    }
    const commit = () => this.execute('COMMIT');
    return {
      columns,
      batches: (async function* () {
        yield* batches();
        await commit();
      })(),
    };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** Rows as COPY CSV: NULL unquoted and empty, every value quoted with its quotes doubled. */
function copyCsv(rows: readonly (readonly SqlValue[])[]): Buffer {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push(
      row.map((v) => (v === null ? '' : `"${v.includes('"') ? v.replaceAll('"', '""') : v}"`)).join(','),
    );
  }
  lines.push('');
  return Buffer.from(lines.join('\n'));
}
