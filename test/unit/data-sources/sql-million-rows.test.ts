/**
 * One million rows through the SQL adapters on each real database: read a generated table with a server-side
 * cursor / streaming query, write every row to a new table with batched multi-row inserts, and check the counts
 * and sums on the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverSqlDatabases } from '../../../shared/adapters/sql/sql-databases.js';
import type { SqlDialect } from '../../../shared/domain/data-store.js';
import type { SqlValue } from '../../../shared/ports/sql-database.js';
import { type Admin, CONNECTIONS, dropTables, openAdmin, uniqueTable } from './sql-test-databases.js';

const ROWS = 1_000_000;

describe.each<SqlDialect>(['postgresql', 'mysql'])('a million rows on %s', (dialect) => {
  const connection = CONNECTIONS[dialect];
  const sql = new DriverSqlDatabases();
  let admin: Admin;
  let source = '';
  beforeAll(async () => {
    admin = await openAdmin(dialect);
    source = uniqueTable('million');
    if (dialect === 'postgresql') {
      await admin.query(
        `CREATE TABLE ${source} AS SELECT g AS id, g * 0.5 AS x, 'row ' || g AS label FROM generate_series(1, ${ROWS}) g`,
      );
    } else {
      await admin.query(`CREATE TABLE ${source} (id BIGINT, x DOUBLE, label VARCHAR(20))`);
      await admin.query(
        `INSERT INTO ${source} SELECT seq, seq * 0.5, CONCAT('row ', seq) FROM seq_1_to_${ROWS}`,
      );
    }
  }, 60_000);
  afterAll(async () => {
    await dropTables(admin);
    await admin.close();
  });

  it('reads and writes them all, in under a minute', async () => {
    const started = Date.now();
    const reader = await sql.read(connection, { table: source }, { fetchSize: 10_000 });
    let read = 0;
    async function* rows(): AsyncGenerator<readonly SqlValue[]> {
      for await (const batch of reader.batches) {
        read += batch.length;
        yield* batch;
      }
    }
    const target = uniqueTable('copy');
    const result = await sql.write(
      connection,
      {
        target: { table: target },
        statementType: 'create_table',
        createTableIfNotExists: false,
        whereColumns: [],
        commitIntervalSeconds: 5,
        writeId: target,
      },
      reader.columns,
      rows(),
    );
    const seconds = (Date.now() - started) / 1000;
    expect(read).toBe(ROWS);
    expect(result).toEqual({ rowsWritten: ROWS, rowsResumed: 0 });
    const [stats] = await admin.query(
      `SELECT COUNT(*) AS n, SUM(id) AS s, COUNT(DISTINCT label) AS l FROM ${target}`,
    );
    expect(Number(stats?.n)).toBe(ROWS);
    expect(Number(stats?.s)).toBe((ROWS * (ROWS + 1)) / 2);
    expect(Number(stats?.l)).toBe(ROWS);
    console.log(`${dialect}: 1M rows read and written in ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(60);
  }, 120_000);
});
