/** {@link SqlDatabases} over PostgreSQL (pg) and MySQL/MariaDB (mysql2). */
import type {
  SqlConnection,
  SqlDatabases,
  SqlRowReader,
  SqlSource,
  SqlValue,
  SqlWriteResult,
  SqlWriteSpec,
} from '../../ports/sql-database.js';
import { openMysqlSession } from './mysql-session.js';
import { openPgSession } from './pg-session.js';
import { sqlFailure } from './sql-errors.js';
import { qualifiedName, type SqlSession } from './sql-session.js';
import { type Now, writeRows } from './sql-writer.js';

/** Opens a session of the connection's dialect, mapping connection failures to DataSourceError. */
async function open(connection: SqlConnection): Promise<SqlSession> {
  try {
    return connection.dialect === 'postgresql'
      ? await openPgSession(connection)
      : await openMysqlSession(connection);
  } catch (error) {
    throw sqlFailure(error, { connection, action: 'connect' });
  }
}

/** The SELECT a source stands for; a trailing semicolon of the user's query is dropped. */
function selectOf(session: SqlSession, source: SqlSource): string {
  if ('query' in source) return source.query.trim().replace(/;\s*$/, '');
  return `SELECT * FROM ${qualifiedName(session.dialect, source)}`;
}

export class DriverSqlDatabases implements SqlDatabases {
  /** @param now clock for commit intervals (tests pass a fake one) */
  constructor(private readonly now: Now = Date.now) {}

  async check(connection: SqlConnection): Promise<void> {
    const session = await open(connection);
    try {
      await session.execute('SELECT 1');
    } catch (error) {
      throw sqlFailure(error, { connection, action: 'read' });
    } finally {
      await session.close();
    }
  }

  async read(
    connection: SqlConnection,
    source: SqlSource,
    options: { fetchSize: number },
  ): Promise<SqlRowReader> {
    const session = await open(connection);
    let started: Awaited<ReturnType<SqlSession['stream']>>;
    try {
      started = await session.stream(selectOf(session, source), options.fetchSize);
    } catch (error) {
      await session.close();
      throw sqlFailure(error, { connection, action: 'read' });
    }
    async function* batches(): AsyncGenerator<SqlValue[][]> {
      try {
        yield* started.batches;
      } catch (error) {
        throw sqlFailure(error, { connection, action: 'read' });
      } finally {
        await session.close();
      }
    }
    return { columns: started.columns, batches: batches() };
  }

  async write(
    connection: SqlConnection,
    spec: SqlWriteSpec,
    columns: readonly string[],
    rows: AsyncIterable<readonly SqlValue[]>,
  ): Promise<SqlWriteResult> {
    const session = await open(connection);
    try {
      return await writeRows(session, connection, spec, columns, rows, this.now);
    } finally {
      await session.close();
    }
  }
}
