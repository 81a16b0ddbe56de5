/**
 * The SQL adapters against the machine's real PostgreSQL and MariaDB: reads (table, query, fetchSize, NULLs),
 * every statement type, create_table type mapping, identifier injection, exactly-once resume after a killed
 * connection, and the bad-input errors a user must act on.
 */
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL } from '../../../shared/adapters/sql/mysql-session.js';
import { CONNECT_TIMEOUT_MS, POSTGRESQL } from '../../../shared/adapters/sql/pg-session.js';
import { DriverSqlDatabases } from '../../../shared/adapters/sql/sql-databases.js';
import type { SqlDialect } from '../../../shared/domain/data-store.js';
import { DataSourceError, ValidationError } from '../../../shared/domain/errors.js';
import type { SqlValue, SqlWriteSpec } from '../../../shared/ports/sql-database.js';
import {
  type Admin,
  CONNECTIONS,
  collect,
  dropTables,
  openAdmin,
  rowsOf,
  uniqueTable,
} from './sql-test-databases.js';

const DIALECTS: SqlDialect[] = ['postgresql', 'mysql'];

function spec(table: string, overrides: Partial<SqlWriteSpec> = {}): SqlWriteSpec {
  return {
    target: { table },
    statementType: 'insert',
    createTableIfNotExists: false,
    whereColumns: [],
    commitIntervalSeconds: 600,
    writeId: uniqueTable('w'),
    ...overrides,
  };
}

describe.each(DIALECTS)('SQL adapter on %s', (dialect) => {
  const connection = CONNECTIONS[dialect];
  const sql = new DriverSqlDatabases();
  let admin: Admin;
  beforeAll(async () => {
    admin = await openAdmin(dialect);
  });
  afterAll(async () => {
    await dropTables(admin);
    await admin.close();
  });

  const ph = (n: number) => (dialect === 'postgresql' ? `$${n}` : '?');
  const countOf = async (table: string) =>
    Number((await admin.query(`SELECT COUNT(*) AS n FROM ${admin.quote(table)}`))[0]?.n);

  async function createTable(columns: string): Promise<string> {
    const table = uniqueTable();
    await admin.query(`CREATE TABLE ${table} (${columns})`);
    return table;
  }

  it('reads a table as text in fetchSize batches, NULL as null', async () => {
    const table = await createTable('id INT, name VARCHAR(20), score DOUBLE PRECISION');
    await admin.query(
      `INSERT INTO ${table} VALUES (1, 'a', 0.5), (2, NULL, 1.25), (3, 'c,"q"', NULL), (4, 'd', -2), (5, 'e', 3)`,
    );
    const reader = await sql.read(connection, { table }, { fetchSize: 2 });
    expect(reader.columns).toEqual(['id', 'name', 'score']);
    const batches = await collect(reader.batches);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches.flat()).toEqual([
      ['1', 'a', '0.5'],
      ['2', null, '1.25'],
      ['3', 'c,"q"', null],
      ['4', 'd', '-2'],
      ['5', 'e', '3'],
    ]);
  });

  it('reads a query (trailing semicolon allowed) and an empty result with its columns', async () => {
    const table = await createTable('id INT, v INT');
    await admin.query(`INSERT INTO ${table} VALUES (1, 10), (2, 20), (3, 30)`);
    const reader = await sql.read(
      connection,
      { query: `SELECT v * 2 AS twice FROM ${table} WHERE id > 1;` },
      { fetchSize: 100 },
    );
    expect(reader.columns).toEqual(['twice']);
    expect((await collect(reader.batches)).flat()).toEqual([['40'], ['60']]);
    const empty = await sql.read(
      connection,
      { query: `SELECT id FROM ${table} WHERE id > 9` },
      { fetchSize: 10 },
    );
    expect(empty.columns).toEqual(['id']);
    expect(await collect(empty.batches)).toEqual([]);
  });

  it('inserts into an existing table, NULL for null', async () => {
    const table = await createTable('id INT, label VARCHAR(10), p DOUBLE PRECISION');
    const rows: SqlValue[][] = [
      ['1', 'x', '0.25'],
      ['2', null, null],
    ];
    const result = await sql.write(connection, spec(table), ['id', 'label', 'p'], rowsOf(rows));
    expect(result).toEqual({ rowsWritten: 2, rowsResumed: 0 });
    const stored = await admin.query(`SELECT id, label, p FROM ${table} ORDER BY id`);
    expect(stored.map((r) => [Number(r.id), r.label, r.p === null ? null : Number(r.p)])).toEqual([
      [1, 'x', 0.25],
      [2, null, null],
    ]);
  });

  it('create_table maps integers, floats and text, and refuses an existing table', async () => {
    const table = uniqueTable();
    const rows: SqlValue[][] = [
      ['1', '0.5', 'yes', null, '7'],
      ['-20', '1e-3', '12', null, '8.0'],
    ];
    const columns = ['n', 'f', 't', 'empty', 'mixed'];
    await sql.write(connection, spec(table, { statementType: 'create_table' }), columns, rowsOf(rows));
    const types = await admin.query(
      'SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = ' +
        `${ph(1)} ORDER BY ordinal_position`,
      [table],
    );
    const expected =
      dialect === 'postgresql'
        ? ['bigint', 'double precision', 'text', 'text', 'double precision']
        : ['bigint', 'double', 'text', 'text', 'double'];
    expect(types.map((r) => String(r.t ?? r.T).toLowerCase())).toEqual(expected);
    expect(await countOf(table)).toBe(2);
    const again = sql.write(
      connection,
      spec(table, { statementType: 'create_table' }),
      columns,
      rowsOf(rows),
    );
    await expect(again).rejects.toThrow(/already exists/);
  });

  it('createTableIfNotExists creates once, then inserts into the same table', async () => {
    const table = uniqueTable();
    const options = { createTableIfNotExists: true };
    await sql.write(connection, spec(table, options), ['a'], rowsOf([['1']]));
    await sql.write(connection, spec(table, options), ['a'], rowsOf([['2']]));
    expect(await countOf(table)).toBe(2);
  });

  it('update sets updateColumns (default: all but whereColumns) of matching rows only', async () => {
    const table = await createTable('k INT, k2 VARCHAR(5), a INT, b INT');
    await admin.query(`INSERT INTO ${table} VALUES (1, 'x', 0, 0), (2, 'x', 0, 0), (3, NULL, 0, 0)`);
    const rows: SqlValue[][] = [
      ['1', 'x', '11', '12'],
      ['3', null, '31', '32'],
      ['9', 'x', '91', '92'],
    ];
    const columns = ['k', 'k2', 'a', 'b'];
    await sql.write(
      connection,
      spec(table, { statementType: 'update', whereColumns: ['k', 'k2'] }),
      columns,
      rowsOf(rows),
    );
    await sql.write(
      connection,
      spec(table, { statementType: 'update', whereColumns: ['k'], updateColumns: ['b'] }),
      columns,
      rowsOf([['2', 'x', '99', '22']]),
    );
    const stored = await admin.query(`SELECT k, a, b FROM ${table} ORDER BY k`);
    expect(stored.map((r) => [Number(r.k), Number(r.a), Number(r.b)])).toEqual([
      [1, 11, 12],
      [2, 0, 22],
      [3, 31, 32],
    ]);
  });

  it('insert_update updates matching rows and inserts the others', async () => {
    const table = await createTable('k INT, v VARCHAR(10)');
    await admin.query(`INSERT INTO ${table} VALUES (1, 'old')`);
    const rows: SqlValue[][] = [
      ['1', 'new'],
      ['2', 'added'],
      ['2', 'again'],
    ];
    await sql.write(
      connection,
      spec(table, { statementType: 'insert_update', whereColumns: ['k'] }),
      ['k', 'v'],
      rowsOf(rows),
    );
    const stored = await admin.query(`SELECT k, v FROM ${table} ORDER BY k`);
    expect(stored.map((r) => [Number(r.k), r.v])).toEqual([
      [1, 'new'],
      [2, 'again'],
    ]);
  });

  it('quotes table and column names, so SQL in them is just a name', async () => {
    const victim = await createTable('id INT');
    const quote = dialect === 'postgresql' ? '"' : '`';
    const evilTable = `x${quote}; DROP TABLE ${victim}; --`;
    const evilColumn = `c${quote}) VALUES (1); DROP TABLE ${victim}; --`;
    await sql.write(
      connection,
      spec(evilTable, { createTableIfNotExists: true }),
      [evilColumn, "it's"],
      rowsOf([['1', "o'clock"]]),
    );
    expect(await countOf(victim)).toBe(0);
    const stored = await admin.query(`SELECT * FROM ${admin.quote(evilTable)}`);
    expect(stored).toHaveLength(1);
    expect(Object.keys(stored[0] ?? {})).toEqual([evilColumn, "it's"]);
    const reader = await sql.read(connection, { table: evilTable }, { fetchSize: 10 });
    expect(reader.columns).toEqual([evilColumn, "it's"]);
    expect((await collect(reader.batches)).flat()).toEqual([['1', "o'clock"]]);
    await admin.query(`DROP TABLE ${admin.quote(evilTable)}`);
  });

  it('a killed connection keeps the committed intervals only, and the rerun resumes without duplicates', async () => {
    const table = await createTable('id INT, v VARCHAR(10)');
    const batch = (dialect === 'postgresql' ? POSTGRESQL : MYSQL).insertBatchRows(2);
    const total = 10 * batch;
    const all = Array.from({ length: total }, (_, i): SqlValue[] => [String(i), `r${i}`]);
    // Each clock reading advances 0.6 s: with a 1 s interval the writer commits after every second batch.
    let t = 0;
    const clockedSql = new DriverSqlDatabases(() => (t += 600));
    const writeSpec = spec(table, { commitIntervalSeconds: 1 });
    // Killed by its write id (PostgreSQL) or by a user of its own (MySQL), never another test's connection.
    const writer =
      dialect === 'postgresql' ? connection : { ...connection, user: await admin.createWriterUser() };
    const tag = dialect === 'postgresql' ? writeSpec.writeId : writer.user;
    let killed = 0;
    async function* killingRows(): AsyncGenerator<SqlValue[]> {
      for (const [i, row] of all.entries()) {
        // Half of batch 6 is in the writer's hands: batch 5 is inserted but uncommitted when the kill lands.
        if (i === 5.5 * batch) killed = await admin.killWriter(tag);
        yield row;
      }
    }
    const failed = clockedSql.write(writer, writeSpec, ['id', 'v'], killingRows());
    await expect(failed).rejects.toThrow(DataSourceError);
    await expect(failed).rejects.toThrow(new RegExp(`lost during the write.* ${4 * batch} rows committed`));
    expect(killed).toBe(1);
    expect(await countOf(table)).toBe(4 * batch);

    const rerun = await clockedSql.write(connection, writeSpec, ['id', 'v'], rowsOf(all));
    expect(rerun).toEqual({ rowsWritten: total - 4 * batch, rowsResumed: 4 * batch });
    expect(await countOf(table)).toBe(total);
    const distinct = await admin.query(`SELECT COUNT(DISTINCT id) AS n FROM ${table}`);
    expect(Number(distinct[0]?.n)).toBe(total);
    const finished = await clockedSql.write(connection, writeSpec, ['id', 'v'], rowsOf(all));
    expect(finished).toEqual({ rowsWritten: 0, rowsResumed: total });
    expect(await countOf(table)).toBe(total);
  });

  it('commitInterval 0 commits once at the end: a failure leaves nothing', async () => {
    const table = await createTable('id INT');
    const rows = Array.from({ length: 3000 }, (_, i): SqlValue[] => [String(i)]);
    rows.push(['not a number']);
    const failed = sql.write(connection, spec(table, { commitIntervalSeconds: 0 }), ['id'], rowsOf(rows));
    await expect(failed).rejects.toThrow(/type mismatch.*0 rows committed/);
    expect(await countOf(table)).toBe(0);
  });

  it('reports a missing table, a missing column and a bad whereColumns setting', async () => {
    const missing = sql.write(connection, spec(uniqueTable('nope')), ['a'], rowsOf([['1']]));
    await expect(missing).rejects.toThrow(
      /does not exist: create it, or set outputSettings.createTableIfNotExists/,
    );
    const table = await createTable('a INT');
    await expect(sql.write(connection, spec(table), ['zz'], rowsOf([['1']]))).rejects.toThrow(
      /column does not exist/,
    );
    const where = sql.write(
      connection,
      spec(table, { statementType: 'update', whereColumns: ['b'] }),
      ['a'],
      rowsOf([]),
    );
    await expect(where).rejects.toThrow(ValidationError);
    await expect(where).rejects.toThrow(/outputSettings.whereColumns.0/);
    const readMissing = sql.read(connection, { table: uniqueTable('nope') }, { fetchSize: 10 });
    await expect(readMissing).rejects.toThrow(/a table does not exist/);
  });

  it('reports a query syntax error and a value of the wrong type', async () => {
    const syntax = sql.read(connection, { query: 'SELEC 1 FROM' }, { fetchSize: 10 });
    await expect(syntax).rejects.toThrow(/the query is not valid SQL.*Check intakeSettings.query/);
    const table = await createTable('n INT');
    const mismatch = sql.write(connection, spec(table), ['n'], rowsOf([['abc']]));
    await expect(mismatch).rejects.toThrow(/a value does not fit its column \(type mismatch\)/);
  });

  it('reports an unreachable server and refused credentials in seconds, without the password', async () => {
    const secret = 'Sup3r-S3cret-pw';
    const started = Date.now();
    const unreachable = sql.read(
      { ...connection, port: 1, password: secret },
      { table: 't' },
      { fetchSize: 1 },
    );
    await expect(unreachable).rejects.toThrow(
      /cannot reach the .* at 127.0.0.1:1: the connection was refused/,
    );
    // PostgreSQL trusts local connections whatever the password, so an unknown role stands in for a wrong password.
    const user = dialect === 'postgresql' ? 'no_such_role' : 'root';
    const refused = await sql
      .read({ ...connection, user, password: secret }, { table: 't' }, { fetchSize: 1 })
      .catch((e: Error) => e);
    expect(refused).toBeInstanceOf(DataSourceError);
    expect((refused as Error).message).toMatch(/refused the login of user .*check the credential/);
    expect((refused as Error).message).not.toContain(secret);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up on a server that never answers after the connect timeout', async () => {
    // Accepts the TCP connection and then says nothing, as a hung server or a silently dropping firewall does.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const started = Date.now();
    try {
      const read = sql.read({ ...connection, port }, { table: 't' }, { fetchSize: 1 });
      await expect(read).rejects.toThrow(/cannot reach the .* at 127.0.0.1:\d+: the connection timed out/);
      expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 3000);
    } finally {
      silent.close();
    }
  });
});
