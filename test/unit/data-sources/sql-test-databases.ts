/**
 * The machine's real test databases (PostgreSQL 127.0.0.1:5432 trust, MariaDB 127.0.0.1:3306 root without
 * password, both db `test`) for the SQL adapter tests: connection settings, an admin client per dialect, and
 * unique table names so test files can run side by side.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SqlDialect } from '../../../shared/domain/data-store.js';
import type { SqlConnection } from '../../../shared/ports/sql-database.js';

export const CONNECTIONS: Readonly<Record<SqlDialect, SqlConnection>> = {
  postgresql: {
    dialect: 'postgresql',
    host: '127.0.0.1',
    port: 5432,
    database: 'test',
    user: 'postgres',
    password: '',
    ssl: false,
    sslVerify: true,
  },
  mysql: {
    dialect: 'mysql',
    host: '127.0.0.1',
    port: 3306,
    database: 'test',
    user: 'root',
    password: '',
    ssl: false,
    sslVerify: true,
  },
};

/** The JDBC URL of the test database of `dialect`. */
export function jdbcUrlOf(dialect: SqlDialect): string {
  return dialect === 'postgresql'
    ? 'jdbc:postgresql://127.0.0.1:5432/test'
    : 'jdbc:mariadb://127.0.0.1:3306/test';
}

/** Every name uniqueTable handed out in this test file, for {@link dropTables}. */
const handedOut: string[] = [];

/** A fresh table name, lower case so it needs no quoting in admin SQL. */
export function uniqueTable(prefix = 'bl'): string {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  handedOut.push(name, `${name}_out`);
  return name;
}

/** Drops the tables named by uniqueTable in this file (those that exist), so test runs leave nothing behind. */
export async function dropTables(admin: Admin): Promise<void> {
  for (const name of handedOut) await admin.query(`DROP TABLE IF EXISTS ${admin.quote(name)}`);
}

/** A plain admin connection for setting up and checking tables. */
export interface Admin {
  /** Runs SQL (placeholders `$1` on PostgreSQL, `?` on MySQL) and returns the rows as objects. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Quotes an identifier the way the dialect does. */
  quote(identifier: string): string;
  /**
   * Kills a writer's connection and returns how many it killed: on PostgreSQL the session of the write with this
   * id (application_name `batchline:<id>`), on MySQL every session of this user.
   */
  killWriter(tag: string): Promise<number>;
  /** MySQL: creates a user with every privilege on `test` for one test (kill it by user); returns its name. */
  createWriterUser(): Promise<string>;
  close(): Promise<void>;
}

export async function openAdmin(dialect: SqlDialect): Promise<Admin> {
  if (dialect === 'postgresql') {
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await client.connect();
    const query = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows;
    return {
      query,
      quote: (id) => `"${id.replaceAll('"', '""')}"`,
      killWriter: async (writeId) => {
        const rows = await query(
          'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
          [`batchline:${writeId}`],
        );
        return rows.length;
      },
      createWriterUser: () => Promise.reject(new Error('PostgreSQL tests kill writers by write id')),
      close: () => client.end(),
    };
  }
  const createdUsers: string[] = [];
  const conn = await mysql.createConnection({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    database: 'test',
  });
  const query = async (sql: string, params: unknown[] = []) =>
    (await conn.query(sql, params))[0] as Record<string, unknown>[];
  return {
    query,
    quote: (id) => `\`${id.replaceAll('`', '``')}\``,
    killWriter: async (user) => {
      const rows = await query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
      for (const row of rows) await query(`KILL CONNECTION ${Number(row.id)}`);
      return rows.length;
    },
    createWriterUser: async () => {
      const user = uniqueTable('writer');
      await query(`CREATE USER '${user}'@'%'`);
      await query(`GRANT ALL PRIVILEGES ON test.* TO '${user}'@'%'`);
      createdUsers.push(user);
      return user;
    },
    close: async () => {
      for (const user of createdUsers.splice(0)) await query(`DROP USER IF EXISTS '${user}'@'%'`);
      await conn.end();
    },
  };
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Yields rows one by one from arrays. */
export async function* rowsOf<T>(rows: Iterable<T>): AsyncGenerator<T> {
  yield* rows;
}
