/**
 * The jdbc output sink on the real PostgreSQL: the scored CSV is parsed in the job's dialect (quoted fields,
 * NULL versus empty string, characters split across pieces, another encoding), and a delivery that crashes
 * half-way and is run again (finalize retried) leaves every row exactly once.
 */
import { randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverSqlDatabases } from '../../../shared/adapters/sql/sql-databases.js';
import type { JobRecord } from '../../../shared/domain/job.js';
import { type JobSpecInput, parseJobSpec } from '../../../shared/domain/job-spec.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { JDBC_OUTPUT } from '../../../shared/use-cases/jobs/output/jdbc-output.js';
import { type Admin, dropTables, jdbcUrlOf, openAdmin, uniqueTable } from './sql-test-databases.js';

const OWNER = 'owner';

/** The ports the sink uses: the owner's data store and credential, the real SQL adapter, a job log. */
function depsWith(sql: DriverSqlDatabases, log: string[]): Deps {
  return {
    dataStores: {
      get: async (ownerId: string, id: string) =>
        ownerId === OWNER
          ? {
              id,
              ownerId,
              canonicalName: 'pg',
              type: 'jdbc',
              driverId: '6a6462630000000000000001',
              jdbcUrl: jdbcUrlOf('postgresql'),
              created: '2026-01-01T00:00:00.000Z',
              updated: '2026-01-01T00:00:00.000Z',
            }
          : null,
    },
    credentials: {
      secretOf: async () => ({ credentialType: 'basic', user: 'postgres', password: '' }),
    },
    sql,
    jobs: { appendLog: async (_id: string, line: string) => void log.push(line) },
    clock: { now: () => new Date() },
  } as unknown as Deps;
}

function jobWith(outputSettings: Record<string, unknown>, extra: Partial<JobSpecInput> = {}): JobRecord {
  const spec = parseJobSpec({
    deploymentId: 'd'.repeat(24),
    outputSettings: {
      type: 'jdbc',
      dataStoreId: 'a'.repeat(24),
      credentialId: 'c'.repeat(24),
      statementType: 'insert',
      ...outputSettings,
    },
    ...extra,
  });
  return { id: randomBytes(12).toString('hex'), ownerId: OWNER, spec } as unknown as JobRecord;
}

/** `text` cut into pieces of `size` bytes, so records and characters straddle pieces. */
async function* piecesOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('the jdbc output sink', () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = await openAdmin('postgresql');
  });
  afterAll(async () => {
    await dropTables(admin);
    await admin.close();
  });

  it('parses the scored CSV in the job dialect: quotes, NULL versus "", split characters, latin1', async () => {
    const table = uniqueTable();
    const log: string[] = [];
    const job = jobWith(
      { table, createTableIfNotExists: true },
      { csvSettings: { delimiter: ';', encoding: 'latin_1' } },
    );
    const text = 'id;label;note\n1;"a;b";\n2;"";café\n\n3;"say ""hi""";"x\ny"\n';
    const bytes = await JDBC_OUTPUT.deliver(
      depsWith(new DriverSqlDatabases(), log),
      job,
      piecesOf(iconv.encode(text, 'latin1'), 3),
    );
    expect(bytes).toBe(iconv.encode(text, 'latin1').length);
    const rows = await admin.query(`SELECT id, label, note FROM ${table} ORDER BY id`);
    expect(rows).toEqual([
      { id: '1', label: 'a;b', note: null },
      { id: '2', label: '', note: 'café' },
      { id: '3', label: 'say "hi"', note: 'x\ny' },
    ]);
    expect(log.join('\n')).toContain(`Wrote 3 rows to postgresql table ${table}`);
  });

  it('resumes a delivery that crashed half-way without writing any row twice', async () => {
    const table = uniqueTable();
    const total = 50_000;
    const csv = Buffer.from(`id,p\n${Array.from({ length: total }, (_, i) => `${i},0.${i}\n`).join('')}`);
    // Each clock reading advances 0.6 s and commitInterval is 1 s: a commit after every second COPY batch.
    let t = 0;
    const sql = new DriverSqlDatabases(() => (t += 600));
    const job = jobWith({ table, createTableIfNotExists: true, commitInterval: 1 });
    async function* crashing(): AsyncGenerator<Uint8Array> {
      let sent = 0;
      for await (const piece of piecesOf(csv, 64 * 1024)) {
        if (sent > csv.length * 0.7) throw new Error('the finalize process crashed');
        sent += piece.length;
        yield piece;
      }
    }
    await expect(JDBC_OUTPUT.deliver(depsWith(sql, []), job, crashing())).rejects.toThrow(/crashed/);
    const committed = Number((await admin.query(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(total);

    const log: string[] = [];
    await JDBC_OUTPUT.deliver(depsWith(sql, log), job, piecesOf(csv, 64 * 1024));
    const [stats] = await admin.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM ${table}`);
    expect([Number(stats?.n), Number(stats?.d)]).toEqual([total, total]);
    expect(log.join('\n')).toContain(`(resumed after ${committed} rows committed earlier)`);
  });

  it('refuses a catalog other than the data store database, and a data store of another owner', async () => {
    const deps = depsWith(new DriverSqlDatabases(), []);
    const rows = piecesOf(Buffer.from('a\n1\n'), 10);
    await expect(JDBC_OUTPUT.deliver(deps, jobWith({ table: 't', catalog: 'other' }), rows)).rejects.toThrow(
      /outputSettings.catalog/,
    );
    const foreign = { ...jobWith({ table: 't' }), ownerId: 'someone else' } as JobRecord;
    await expect(JDBC_OUTPUT.checkSpec?.(deps, foreign.ownerId, parseJobSpec(foreign.spec))).rejects.toThrow(
      /data store .* not found/,
    );
  });
});
