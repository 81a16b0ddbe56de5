/**
 * JDBC through the local HTTP API with the real PostgreSQL and MariaDB: the driver catalog, data store CRUD and
 * owner isolation, jobs reading tables and queries and writing tables, a connection killed mid-write, and each
 * bad input ending the job ABORTED within seconds with an actionable statusDetails that holds no secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDialect } from '../../../shared/domain/data-store.js';
import { type TestApi, useLocalStack } from '../../support/local-stack.js';
import { treeEnsembleClassifier } from '../../support/onnx-factory.js';
import { type Admin, dropTables, jdbcUrlOf, openAdmin, uniqueTable } from './sql-test-databases.js';

const POSTGRESQL_DRIVER = '6a6462630000000000000001';
const MARIADB_DRIVER = '6a6462630000000000000003';
const SECRET = 'n0t-the-Real-pw!';

const model = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 4, trees: 10, depth: 4 },
  zipMap: true,
  classLabels: [0, 1],
  input: { kind: 'columns', names: ['a', 'b'] },
});

async function registerModel(api: TestApi): Promise<string> {
  const started = await api.call('POST', 'modelPackages/fromOnnx/', {
    name: 'jdbc trees',
    manifest: { targetName: 'churn' },
  });
  const links = started.body.links as { upload: string };
  expect((await fetch(links.upload, { method: 'PUT', body: model })).status).toBe(200);
  expect((await api.call('POST', `modelPackages/${started.body.id}/finalize/`)).status).toBe(200);
  const deployment = await api.call('POST', 'deployments/fromModelPackage/', {
    modelPackageId: started.body.id,
    label: 'jdbc',
  });
  expect(deployment.status).toBe(201);
  return deployment.body.id as string;
}

async function waitForEnd(api: TestApi, jobId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 1200; i++) {
    const status = await api.call('GET', `batchPredictions/${jobId}/`);
    if (status.body.status === 'COMPLETED' || status.body.status === 'ABORTED') return status.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `job ${jobId} did not end: ${JSON.stringify((await api.call('GET', `batchPredictions/${jobId}/`)).body)}`,
  );
}

describe('JDBC data stores and jobs through the local API', () => {
  const api = useLocalStack({ chunkBytes: 256 * 1024 });
  const admins: Partial<Record<SqlDialect, Admin>> = {};
  let deploymentId = '';
  const stores: Partial<Record<SqlDialect, string>> = {};
  const credentials: Partial<Record<SqlDialect, string>> = {};

  async function createStore(name: string, driverId: string, jdbcUrl: string): Promise<string> {
    const created = await api().call('POST', 'externalDataStores/', {
      canonicalName: name,
      type: 'jdbc',
      params: { driverId, jdbcUrl },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  async function createCredential(user: string, password: string): Promise<string> {
    const created = await api().call('POST', 'credentials/', {
      name: uniqueTable('cred'),
      credentialType: 'basic',
      user,
      password,
    });
    expect(created.status).toBe(201);
    return created.body.credentialId as string;
  }

  async function runJob(
    spec: Record<string, unknown>,
  ): Promise<{ body: Record<string, unknown>; ms: number }> {
    const started = Date.now();
    const created = await api().call('POST', 'batchPredictions/', { deploymentId, ...spec });
    expect(created.status, created.text).toBe(202);
    const body = await waitForEnd(api(), created.body.id as string);
    return { body, ms: Date.now() - started };
  }

  const jdbc = (dialect: SqlDialect, settings: Record<string, unknown>) => ({
    type: 'jdbc',
    dataStoreId: stores[dialect],
    credentialId: credentials[dialect],
    ...settings,
  });

  beforeAll(async () => {
    admins.postgresql = await openAdmin('postgresql');
    admins.mysql = await openAdmin('mysql');
    deploymentId = await registerModel(api());
    stores.postgresql = await createStore('pg test', POSTGRESQL_DRIVER, jdbcUrlOf('postgresql'));
    stores.mysql = await createStore('maria test', MARIADB_DRIVER, jdbcUrlOf('mysql'));
    credentials.postgresql = await createCredential('postgres', SECRET);
    credentials.mysql = await createCredential('root', '');
  }, 60_000);
  afterAll(async () => {
    for (const admin of Object.values(admins)) await dropTables(admin);
    await admins.postgresql?.close();
    await admins.mysql?.close();
  });

  it('lists the drivers as DataRobot does and answers an unknown one 404', async () => {
    const drivers = await api().call('GET', 'externalDataDrivers/');
    expect(drivers.status).toBe(200);
    expect(drivers.body).toMatchObject({ count: 3, totalCount: 3, next: null, previous: null });
    expect((drivers.body.data as { canonicalName: string }[]).map((d) => d.canonicalName)).toEqual([
      'PostgreSQL',
      'MySQL',
      'MariaDB',
    ]);
    const one = await api().call('GET', `externalDataDrivers/${POSTGRESQL_DRIVER}/`);
    expect(one.body).toEqual({
      id: POSTGRESQL_DRIVER,
      canonicalName: 'PostgreSQL',
      className: 'org.postgresql.Driver',
      baseNames: ['pg'],
      version: '8',
      type: 'jdbc',
      creator: null,
      databaseDriver: null,
    });
    expect((await api().call('GET', `externalDataDrivers/${'0'.repeat(24)}/`)).status).toBe(404);
  });

  it('creates, lists, updates and deletes data stores, each visible to its owner only', async () => {
    const id = await createStore(
      'crud',
      POSTGRESQL_DRIVER,
      'jdbc:postgresql://db.example.com/sales?sslmode=require',
    );
    const got = await api().call('GET', `externalDataStores/${id}/`);
    expect(got.body).toMatchObject({
      id,
      canonicalName: 'crud',
      type: 'jdbc',
      role: 'OWNER',
      driverClassType: 'postgres',
      params: {
        driverId: POSTGRESQL_DRIVER,
        jdbcUrl: 'jdbc:postgresql://db.example.com/sales?sslmode=require',
      },
    });
    const listed = await api().call('GET', 'externalDataStores/');
    expect((listed.body.data as { id: string }[]).map((s) => s.id)).toContain(id);
    const renamed = await api().call('PATCH', `externalDataStores/${id}/`, { canonicalName: 'renamed' });
    expect(renamed.body).toMatchObject({ canonicalName: 'renamed' });

    const bob = await api().call('POST', 'apiKeys/', { name: 'bob', user: 'bob-jdbc' });
    const bobKey = bob.body.key as string;
    expect((await api().call('GET', `externalDataStores/${id}/`, undefined, { key: bobKey })).status).toBe(
      404,
    );
    expect((await api().call('DELETE', `externalDataStores/${id}/`, undefined, { key: bobKey })).status).toBe(
      404,
    );
    const bobList = await api().call('GET', 'externalDataStores/', undefined, { key: bobKey });
    expect(bobList.body.data).toEqual([]);
    const bobJob = await api().call(
      'POST',
      'batchPredictions/',
      { deploymentId, intakeSettings: { type: 'jdbc', dataStoreId: id, table: 't' } },
      { key: bobKey },
    );
    expect(bobJob.status).toBe(404);

    expect((await api().call('DELETE', `externalDataStores/${id}/`)).status).toBe(204);
    expect((await api().call('GET', `externalDataStores/${id}/`)).status).toBe(404);
  });

  it('refuses unsupported databases, mismatched drivers and passwords in URLs, naming the field', async () => {
    const post = (driverId: string, jdbcUrl: string) =>
      api().call('POST', 'externalDataStores/', {
        canonicalName: 'x',
        type: 'jdbc',
        params: { driverId, jdbcUrl },
      });
    const snowflake = await post(POSTGRESQL_DRIVER, 'jdbc:snowflake://acme.snowflakecomputing.com/?db=x');
    expect(snowflake.status).toBe(422);
    expect(snowflake.body.errors).toHaveProperty(['params.jdbcUrl']);
    expect(snowflake.body.message).toMatch(/Snowflake .* is not supported yet/);
    const mismatch = await post(POSTGRESQL_DRIVER, 'jdbc:mysql://db:3306/x');
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.message).toMatch(/does not match the PostgreSQL driver/);
    const password = await post(MARIADB_DRIVER, 'jdbc:mariadb://db/x?user=u&password=p');
    expect(password.body.errors).toHaveProperty(['params.jdbcUrl']);
    const garbage = await post(MARIADB_DRIVER, 'mysql://db/x');
    expect(garbage.status).toBe(422);
    const driver = await post('0'.repeat(24), 'jdbc:mysql://db/x');
    expect(driver.body.errors).toHaveProperty(['params.driverId']);
  });

  it('tests a data store connection with a login that is used once and never echoed', async () => {
    const ok = await api().call('POST', `externalDataStores/${stores.mysql}/test/`, {
      user: 'root',
      password: '',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ message: 'Connection successful' });
    const refused = await api().call('POST', `externalDataStores/${stores.mysql}/test/`, {
      user: 'root',
      password: SECRET,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/refused the login of user "root"/);
    expect(refused.text).not.toContain(SECRET);
    const missing = await api().call('POST', `externalDataStores/${stores.mysql}/test/`, { password: 'x' });
    expect(missing.body.errors).toHaveProperty('user');
  });

  it('answers 404 at job creation for a missing data store or credential', async () => {
    const missingStore = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: { type: 'jdbc', dataStoreId: 'f'.repeat(24), table: 't' },
    });
    expect(missingStore.status).toBe(404);
    const missingCredential = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: jdbc('postgresql', { table: 't', credentialId: 'e'.repeat(24) }),
    });
    expect(missingCredential.status).toBe(404);
  });

  it('scores a PostgreSQL table into a new PostgreSQL table, every row once (semicolon CSV dialect)', async () => {
    const source = uniqueTable('src');
    const target = uniqueTable('out');
    const rows = 50_000;
    await admins.postgresql?.query(
      `CREATE TABLE ${source} AS SELECT g AS id, sin(g) AS a, cos(g) AS b FROM generate_series(1, ${rows}) g`,
    );
    const { body, ms } = await runJob({
      passthroughColumns: ['id'],
      csvSettings: { delimiter: ';' },
      intakeSettings: jdbc('postgresql', { table: source, schema: 'public', fetchSize: 5000 }),
      outputSettings: jdbc('postgresql', {
        table: target,
        statementType: 'insert',
        createTableIfNotExists: true,
      }),
    });
    expect(body.status, String(body.statusDetails)).toBe('COMPLETED');
    expect(body.scoredRows).toBe(rows);
    const [stats] = (await admins.postgresql?.query(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, MIN(id) AS lo, MAX(id) AS hi FROM ${target}`,
    )) ?? [{}];
    expect([stats?.n, stats?.d, stats?.lo, stats?.hi].map(Number)).toEqual([rows, rows, 1, rows]);
    const columns = await admins.postgresql?.query(
      'SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [target],
    );
    expect(columns?.map((c) => `${c.c}:${c.t}`)).toEqual([
      'id:bigint',
      'churn_1_PREDICTION:double precision',
      'churn_0_PREDICTION:double precision',
      'churn_PREDICTION:bigint',
      'THRESHOLD:double precision',
      'POSITIVE_CLASS:bigint',
    ]);
    console.log(`PostgreSQL -> PostgreSQL, ${rows} rows: ${ms} ms`);
  });

  it('scores a MariaDB query into a MariaDB table with insert_update', async () => {
    const source = uniqueTable('src');
    await admins.mysql?.query(`CREATE TABLE ${source} (id INT, a DOUBLE, b DOUBLE)`);
    await admins.mysql?.query(`INSERT INTO ${source} SELECT seq, seq / 100, -seq / 50 FROM seq_1_to_2000`);
    const first = await runJob({
      passthroughColumns: ['id'],
      intakeSettings: jdbc('mysql', { query: `SELECT id, a, b FROM ${source} WHERE id <= 1500` }),
      outputSettings: jdbc('mysql', { table: `${source}_out`, statementType: 'create_table' }),
    });
    expect(first.body.status, String(first.body.statusDetails)).toBe('COMPLETED');
    const upsert = await runJob({
      passthroughColumns: ['id'],
      intakeSettings: jdbc('mysql', { table: source }),
      outputSettings: jdbc('mysql', {
        table: `${source}_out`,
        statementType: 'insertUpdate',
        whereColumns: ['id'],
      }),
    });
    expect(upsert.body.status, String(upsert.body.statusDetails)).toBe('COMPLETED');
    const [stats] = (await admins.mysql?.query(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM ${source}_out`,
    )) ?? [{}];
    expect([Number(stats?.n), Number(stats?.d)]).toEqual([2000, 2000]);
  });

  it('reads a PostgreSQL query with NULLs into a localFile output', async () => {
    const source = uniqueTable('src');
    await admins.postgresql?.query(
      `CREATE TABLE ${source} AS SELECT g AS id, g AS a, NULL::float AS b FROM generate_series(1, 300) g`,
    );
    const { body } = await runJob({
      passthroughColumns: ['id'],
      intakeSettings: jdbc('postgresql', { query: `SELECT * FROM ${source} ORDER BY id` }),
    });
    expect(body.status, String(body.statusDetails)).toBe('COMPLETED');
    expect(body).toMatchObject({ scoredRows: 300, failedRows: 0 });
    const header = 'id,a,b\n'.length;
    const rows = Array.from({ length: 300 }, (_, i) => `${i + 1},${i + 1},\n`);
    expect(body.jobIntakeSize).toBe(header + rows.join('').length);
  });

  it('ends a job whose connection is killed mid-write ABORTED, with only committed intervals in the table', async () => {
    const source = uniqueTable('src');
    const target = uniqueTable('out');
    await admins.postgresql?.query(
      `CREATE TABLE ${source} AS SELECT g AS id, sin(g) AS a, cos(g) AS b FROM generate_series(1, 30000) g`,
    );
    const created = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      passthroughColumns: ['id'],
      intakeSettings: jdbc('postgresql', { table: source }),
      // insert_update writes row by row, slowly enough to be killed between two commits a second apart.
      outputSettings: jdbc('postgresql', {
        table: target,
        statementType: 'insert_update',
        whereColumns: ['id'],
        createTableIfNotExists: true,
        commitInterval: 1,
      }),
    });
    const jobId = created.body.id as string;
    const committed = async () =>
      Number(
        (
          await admins.postgresql
            ?.query('SELECT rows_committed AS n FROM batchline_job_progress WHERE write_id = $1', [jobId])
            .catch(() => [])
        )?.[0]?.n ?? 0,
      );
    for (let i = 0; i < 600 && (await committed()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await committed()).toBeGreaterThan(0);
    expect(await admins.postgresql?.killWriter(jobId)).toBe(1);
    const body = await waitForEnd(api(), jobId);
    expect(body.status).toBe('ABORTED');
    const kept = await committed();
    expect(String(body.statusDetails)).toContain(`lost during the write`);
    expect(String(body.statusDetails)).toContain(`${kept} rows committed before the failure stay`);
    const [stats] =
      (await admins.postgresql?.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM ${target}`)) ?? [];
    expect([Number(stats?.n), Number(stats?.d)]).toEqual([kept, kept]);
    expect(kept).toBeLessThan(30_000);
  });

  it('ends each bad input ABORTED within seconds with an actionable statusDetails and no secret', async () => {
    const source = uniqueTable('src');
    await admins.postgresql?.query(
      `CREATE TABLE ${source} AS SELECT g AS id, 0.5 AS a, 0.25 AS b FROM generate_series(1, 10) g`,
    );
    const unreachable = await createStore('nowhere', POSTGRESQL_DRIVER, 'jdbc:postgresql://127.0.0.1:1/test');
    const wrongPassword = await createCredential('root', SECRET);
    // A table with the scored columns, but a DATE where the id goes.
    const good = uniqueTable('good');
    const scored = await runJob({
      passthroughColumns: ['id'],
      intakeSettings: jdbc('postgresql', { table: source }),
      outputSettings: jdbc('postgresql', { table: good, statementType: 'create_table' }),
    });
    expect(scored.body.status).toBe('COMPLETED');
    const mismatch = uniqueTable('mismatch');
    await admins.postgresql?.query(`CREATE TABLE ${mismatch} AS SELECT * FROM ${good} WHERE false`);
    await admins.postgresql?.query(`ALTER TABLE ${mismatch} ALTER COLUMN id TYPE DATE USING NULL`);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'unreachable',
        { intakeSettings: { ...jdbc('postgresql', { table: source }), dataStoreId: unreachable } },
        /cannot reach the postgresql database at 127.0.0.1:1: the connection was refused/,
      ],
      [
        'wrong password',
        { intakeSettings: { ...jdbc('mysql', { table: source }), credentialId: wrongPassword } },
        /refused the login of user "root": check the credential/,
      ],
      [
        'syntax error',
        { intakeSettings: jdbc('postgresql', { query: `SELECT id, a, b FROM ${source} WHERE` }) },
        /the query is not valid SQL for postgresql: syntax error/,
      ],
      [
        'failure mid-read',
        {
          intakeSettings: jdbc('postgresql', {
            query: 'SELECT g AS id, 1 / (g - 2500) AS a, 0 AS b FROM generate_series(1, 5000) g',
            fetchSize: 100,
          }),
        },
        /the query failed on a value: division by zero/,
      ],
      [
        'missing table',
        { intakeSettings: jdbc('postgresql', { table: uniqueTable('missing') }) },
        /a table does not exist: relation .* does not exist/,
      ],
      [
        'type mismatch',
        {
          passthroughColumns: ['id'],
          intakeSettings: jdbc('postgresql', { table: source }),
          outputSettings: jdbc('postgresql', { table: mismatch, statementType: 'insert' }),
        },
        /a value does not fit its column \(type mismatch\): invalid input syntax for type date/,
      ],
    ];
    // One after another: a deployment runs one job at a time, and each must end on its own within seconds.
    for (const [name, spec, expected] of cases) {
      const { body, ms } = await runJob(spec);
      expect(body.status, name).toBe('ABORTED');
      expect(String(body.statusDetails), name).toMatch(expected);
      expect(String(body.statusDetails), name).not.toContain(SECRET);
      console.log(`${name}: ABORTED after ${ms} ms`);
      // Generous for a loaded machine: connect attempts time out after 5 s, refusals are immediate.
      expect(ms, name).toBeLessThan(30_000);
    }
  }, 120_000);
});
