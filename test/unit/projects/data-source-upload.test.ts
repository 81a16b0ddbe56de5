/**
 * Prediction datasets from a data source (`Project.upload_dataset_from_data_source`) through the local HTTP
 * API against the real PostgreSQL (and MariaDB for a refused login): data source CRUD with owner isolation
 * and paging, an upload read once from a query or a table that predicts exactly like the same rows uploaded
 * as a file, and bad input answered 404 / 422 naming the field, never echoing a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvTable } from '../../../shared/use-cases/projects/csv-table.js';
import { type ApiAnswer, useLocalStack } from '../../support/local-stack.js';
import {
  type Admin,
  dropTables,
  jdbcUrlOf,
  openAdmin,
  uniqueTable,
} from '../data-sources/sql-test-databases.js';
import { classifier, createProject, dataset, registerModel, settle, uploadDataset } from './support.js';

const POSTGRESQL_DRIVER = '6a6462630000000000000001';
const MARIADB_DRIVER = '6a6462630000000000000003';
const SECRET = 'n0t-the-Real-pw!';
const UNKNOWN = '0123456789abcdef01234567';

const api = useLocalStack();
let admin: Admin;
let modelId: string;
let projectId: string;
let pgStore: string;
let pgCredential: string;
/** The rows both as a CSV file and as a PostgreSQL table. */
const rows = dataset(60, 11);
const table = uniqueTable('dsu');

async function created(answer: Promise<ApiAnswer>): Promise<string> {
  const res = await answer;
  expect(res.status, res.text).toBe(201);
  return (res.body.id ?? res.body.credentialId) as string;
}

const createStore = (driverId: string, jdbcUrl: string) =>
  created(
    api().call('POST', 'externalDataStores/', {
      canonicalName: uniqueTable('store'),
      type: 'jdbc',
      params: { driverId, jdbcUrl },
    }),
  );

const createSource = (params: Record<string, unknown>, name = uniqueTable('source')) =>
  created(api().call('POST', 'externalDataSources/', { type: 'jdbc', canonicalName: name, params }));

const upload = (body: Record<string, unknown>, project = projectId) =>
  api().call('POST', `projects/${project}/predictionDatasets/dataSourceUploads/`, body);

/** Follows an upload's status URL (202 → 303) to the dataset document. */
async function uploadedDataset(posted: ApiAnswer): Promise<Record<string, unknown>> {
  expect(posted.status, posted.text).toBe(202);
  const status = await api().call('GET', posted.headers.get('location') as string);
  expect(status.status).toBe(303);
  const res = await api().call('GET', status.headers.get('location') as string);
  expect(res.status).toBe(200);
  return res.body;
}

/** The predictions of the model for a dataset (request_predictions, then the JSON result). */
async function predictionsFor(datasetId: string): Promise<unknown[]> {
  const posted = await api().call('POST', `projects/${projectId}/predictions/`, { modelId, datasetId });
  expect(posted.status).toBe(202);
  const done = await settle(api(), posted.headers.get('location') as string);
  expect(done.status).toBe(303);
  const result = await api().call('GET', done.headers.get('location') as string);
  return result.body.predictions as unknown[];
}

beforeAll(async () => {
  admin = await openAdmin('postgresql');
  const { header, rows: cells } = readCsvTable(Buffer.from(rows));
  await admin.query(`CREATE TABLE ${table} (id INTEGER, a DOUBLE PRECISION, b DOUBLE PRECISION)`);
  const values = cells.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ');
  await admin.query(`INSERT INTO ${table} (${header.join(', ')}) VALUES ${values}`, cells.flat());
  modelId = await registerModel(api(), classifier, 'churn');
  projectId = await createProject(api(), modelId, 'from a data source');
  pgStore = await createStore(POSTGRESQL_DRIVER, jdbcUrlOf('postgresql'));
  pgCredential = await created(
    api().call('POST', 'credentials/', {
      name: uniqueTable('cred'),
      credentialType: 'basic',
      user: 'postgres',
      password: SECRET,
    }),
  );
}, 60_000);

afterAll(async () => {
  await dropTables(admin);
  await admin.close();
});

describe('data sources (DataSource.create, get, list, update, delete)', () => {
  it('creates one on a data store and shows it as DataRobot does, to its owner only', async () => {
    const name = uniqueTable('crud');
    const id = await createSource({ dataStoreId: pgStore, query: `SELECT * FROM ${table}` }, name);
    const got = await api().call('GET', `externalDataSources/${id}/`);
    expect(got.body).toEqual({
      id,
      canonicalName: name,
      type: 'jdbc',
      creator: expect.any(String),
      updated: expect.any(String),
      role: 'OWNER',
      params: { dataStoreId: pgStore, query: `SELECT * FROM ${table}` },
    });
    const updated = await api().call('PATCH', `externalDataSources/${id}/`, {
      canonicalName: 'renamed',
      params: { table, schema: 'public', fetchSize: 7 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      canonicalName: 'renamed',
      params: { dataStoreId: pgStore, table, schema: 'public', fetchSize: 7 },
    });
    expect(updated.body.params).not.toHaveProperty('query');

    const bob = (await api().call('POST', 'apiKeys/', { name: 'bob', user: 'bob-sources' })).body
      .key as string;
    expect((await api().call('GET', `externalDataSources/${id}/`, undefined, { key: bob })).status).toBe(404);
    const bobPatch = await api().call(
      'PATCH',
      `externalDataSources/${id}/`,
      { canonicalName: 'x' },
      { key: bob },
    );
    expect(bobPatch.status).toBe(404);
    expect((await api().call('DELETE', `externalDataSources/${id}/`, undefined, { key: bob })).status).toBe(
      404,
    );
    expect((await api().call('GET', 'externalDataSources/', undefined, { key: bob })).body.data).toEqual([]);
    // Bob cannot name Alice's data store in his own data source either.
    const bobSource = await api().call(
      'POST',
      'externalDataSources/',
      { canonicalName: 'b', params: { dataStoreId: pgStore, table } },
      { key: bob },
    );
    expect(bobSource.status).toBe(404);
    expect((await api().call('GET', 'externalDataSources/', undefined, { key: null })).status).toBe(401);

    expect((await api().call('DELETE', `externalDataSources/${id}/`)).status).toBe(204);
    expect((await api().call('GET', `externalDataSources/${id}/`)).status).toBe(404);
  });

  it('pages the list with DataRobot envelopes', async () => {
    for (let i = 0; i < 3; i++) await createSource({ dataStoreId: pgStore, table });
    const first = await api().call('GET', 'externalDataSources/?limit=2');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ count: 2, previous: null });
    const total = first.body.totalCount as number;
    expect(total).toBeGreaterThanOrEqual(3);
    expect(String(first.body.next)).toContain('offset=2');
    const second = await api().call('GET', first.body.next as string);
    expect(second.body.count).toBe(Math.min(2, total - 2));
    const ids = [...(first.body.data as { id: string }[]), ...(second.body.data as { id: string }[])];
    expect(new Set(ids.map((s) => s.id)).size).toBe(ids.length);
  });

  it('names the failing field of bad params, and answers a missing data store 404', async () => {
    const post = (params: Record<string, unknown>) =>
      api().call('POST', 'externalDataSources/', { canonicalName: 'x', params });
    const both = await post({ dataStoreId: pgStore, table, query: 'SELECT 1' });
    expect(both.status).toBe(422);
    expect(both.body.errors).toHaveProperty(['params.query']);
    expect((await post({ dataStoreId: pgStore })).body.errors).toHaveProperty(['params.table']);
    expect((await post({ dataStoreId: pgStore, query: 'SELECT 1', schema: 's' })).body.errors).toHaveProperty(
      ['params.schema'],
    );
    expect((await post({ dataStoreId: pgStore, table, fetchSize: 0 })).body.errors).toHaveProperty([
      'params.fetchSize',
    ]);
    expect((await post({ table })).body.errors).toHaveProperty(['params.dataStoreId']);
    const wrongType = await api().call('POST', 'externalDataSources/', {
      type: 'dr-connector-v1',
      canonicalName: 'x',
      params: { dataStoreId: pgStore, table },
    });
    expect(wrongType.body.errors).toHaveProperty('type');
    expect((await post({ dataStoreId: UNKNOWN, table })).status).toBe(404);
  });
});

describe('prediction datasets from a data source (Project.upload_dataset_from_data_source)', () => {
  it('reads a query once into a dataset that predicts exactly like the same rows uploaded as a file', async () => {
    const name = uniqueTable('query');
    const source = await createSource(
      { dataStoreId: pgStore, query: `SELECT id, a, b FROM ${table} ORDER BY id` },
      name,
    );
    const fromSource = await uploadedDataset(
      await upload({ dataSourceId: source, credentialId: pgCredential }),
    );
    expect(fromSource).toMatchObject({ projectId, name, numRows: 60, numColumns: 3 });
    const fileId = await uploadDataset(api(), projectId, rows, 'rows.csv');
    const expected = await predictionsFor(fileId);
    expect(expected).toHaveLength(60);
    expect(await predictionsFor(fromSource.id as string)).toEqual(expected);
  });

  it("reads a table with the client's body (user, password, snake_case options) and uses the login once", async () => {
    const source = await createSource({ dataStoreId: pgStore, table, schema: 'public', fetchSize: 7 });
    const body = await uploadedDataset(
      await upload({ dataSourceId: source, user: 'postgres', password: SECRET, actual_value_column: 'id' }),
    );
    expect(body).toMatchObject({ numRows: 60, numColumns: 3, actualValueColumn: 'id' });
    const again = await api().call('GET', `projects/${projectId}/predictionDatasets/${body.id}/`);
    expect(again.text).not.toContain(SECRET);
    const timeSeries = await upload({
      dataSourceId: source,
      user: 'postgres',
      password: '',
      predictions_start_date: '2020-01-01T00:00:00',
    });
    expect(timeSeries.status).toBe(422);
    expect(timeSeries.body.errors).toHaveProperty('predictionsStartDate');
  });

  it('answers unknown or foreign projects, data sources, data stores and credentials 404', async () => {
    const source = await createSource({ dataStoreId: pgStore, table });
    expect((await upload({ dataSourceId: source, credentialId: pgCredential }, UNKNOWN)).status).toBe(404);
    expect((await upload({ dataSourceId: UNKNOWN, credentialId: pgCredential })).status).toBe(404);
    expect((await upload({ dataSourceId: source, credentialId: UNKNOWN })).status).toBe(404);
    // Bob's data source and credential name nothing for Alice.
    const bob = (await api().call('POST', 'apiKeys/', { name: 'bob', user: 'bob-uploads' })).body
      .key as string;
    const as = { key: bob };
    const bobStore = (
      await api().call(
        'POST',
        'externalDataStores/',
        { canonicalName: 'b', params: { driverId: POSTGRESQL_DRIVER, jdbcUrl: jdbcUrlOf('postgresql') } },
        as,
      )
    ).body.id as string;
    const bobSource = await api().call(
      'POST',
      'externalDataSources/',
      { canonicalName: 'b', params: { dataStoreId: bobStore, table } },
      as,
    );
    expect(bobSource.status).toBe(201);
    const bobCredential = await api().call(
      'POST',
      'credentials/',
      { name: 'b', credentialType: 'basic', user: 'postgres', password: '' },
      as,
    );
    expect((await upload({ dataSourceId: bobSource.body.id, credentialId: pgCredential })).status).toBe(404);
    expect(
      (await upload({ dataSourceId: source, credentialId: bobCredential.body.credentialId })).status,
    ).toBe(404);
    const doomedStore = await createStore(POSTGRESQL_DRIVER, jdbcUrlOf('postgresql'));
    const orphan = await createSource({ dataStoreId: doomedStore, table });
    expect((await api().call('DELETE', `externalDataStores/${doomedStore}/`)).status).toBe(204);
    const gone = await upload({ dataSourceId: orphan, credentialId: pgCredential });
    expect(gone.status).toBe(404);
    expect(String(gone.body.message)).toMatch(/data store/);
  });

  it('answers database errors, empty reads and unclear logins 422 with the field and no secret', async () => {
    const missingTable = await createSource({ dataStoreId: pgStore, table: uniqueTable('missing') });
    const noTable = await upload({ dataSourceId: missingTable, credentialId: pgCredential });
    expect(noTable.status).toBe(422);
    expect(String(noTable.body.message)).toMatch(/does not exist/);
    expect(noTable.text).not.toContain(SECRET);

    const badSql = await createSource({ dataStoreId: pgStore, query: 'SELEC nothing' });
    const syntax = await upload({ dataSourceId: badSql, user: 'postgres', password: SECRET });
    expect(syntax.status).toBe(422);
    expect(syntax.text).not.toContain(SECRET);

    const mariaStore = await createStore(MARIADB_DRIVER, jdbcUrlOf('mysql'));
    const maria = await createSource({ dataStoreId: mariaStore, query: 'SELECT 1 AS a' });
    const refused = await upload({ dataSourceId: maria, user: 'root', password: SECRET });
    expect(refused.status).toBe(422);
    expect(String(refused.body.message)).toMatch(/refused the login/);
    expect(refused.text).not.toContain(SECRET);

    const empty = await createSource({ dataStoreId: pgStore, query: `SELECT * FROM ${table} WHERE false` });
    const none = await upload({ dataSourceId: empty, credentialId: pgCredential });
    expect(none.status).toBe(422);
    expect(none.body.errors).toHaveProperty('dataSourceId');

    const source = await createSource({ dataStoreId: pgStore, table });
    const both = await upload({ dataSourceId: source, credentialId: pgCredential, user: 'postgres' });
    expect(both.body.errors).toHaveProperty('credentialId');
    expect((await upload({ dataSourceId: source, password: 'x' })).body.errors).toHaveProperty('user');
    const kerberos = await upload({ dataSourceId: source, credentialId: pgCredential, useKerberos: true });
    expect(kerberos.body.errors).toHaveProperty('useKerberos');
    expect((await upload({ credentialId: pgCredential })).body.errors).toHaveProperty('dataSourceId');
    // Only the two successful data source uploads and the file upload of the tests above left a dataset.
    const datasets = await api().call('GET', `projects/${projectId}/predictionDatasets/`);
    expect((datasets.body.data as unknown[]).length).toBe(3);
  });
});
