/** `externalDataDrivers/` (a fixed catalog) and the owner's `externalDataStores/`. */
import { z } from 'zod';
import {
  type CreateDataStoreInput,
  CreateDataStoreSchema,
  checkDataStoreParams,
  type DataStoreRecord,
  driverById,
  EXTERNAL_DATA_DRIVERS,
  type ExternalDataDriver,
  type JdbcUrl,
  type UpdateDataStoreInput,
  UpdateDataStoreSchema,
} from '../../domain/data-store.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { connectionTo } from './sql-connection.js';

/** The drivers this build runs. */
export function listDrivers(): readonly ExternalDataDriver[] {
  return EXTERNAL_DATA_DRIVERS;
}

/** One driver; NotFoundError for an unknown id. */
export function getDriver(id: string): ExternalDataDriver {
  const driver = driverById(id);
  if (!driver) throw new NotFoundError('external data driver', id);
  return driver;
}

/**
 * Checks a data store's driver and URL. A password in the URL is refused: data stores are shown to their owner
 * as they were given, while passwords belong in a credential, whose secret is never shown.
 */
function checkParams(driverId: string, jdbcUrl: string): JdbcUrl {
  const url = checkDataStoreParams(driverId, jdbcUrl);
  if (Object.keys(url.params).some((name) => name.toLowerCase() === 'password')) {
    throw new ValidationError([
      {
        field: 'params.jdbcUrl',
        message:
          'must not contain a password: store user and password as a basic credential and give its credentialId to the job',
      },
    ]);
  }
  return url;
}

/** Stores a new data store for the owner after checking its driver and JDBC URL. */
export async function createDataStore(
  deps: Deps,
  ownerId: string,
  input: CreateDataStoreInput,
): Promise<DataStoreRecord> {
  const body = parseRequest(CreateDataStoreSchema, input);
  checkParams(body.params.driverId, body.params.jdbcUrl);
  const now = deps.clock.now().toISOString();
  const record: DataStoreRecord = {
    id: deps.newId(),
    ownerId,
    canonicalName: body.canonicalName,
    type: body.type,
    driverId: body.params.driverId,
    jdbcUrl: body.params.jdbcUrl,
    created: now,
    updated: now,
  };
  await deps.dataStores.create(record);
  return record;
}

/** The owner's data stores, oldest first. */
export function listDataStores(deps: Deps, ownerId: string): Promise<DataStoreRecord[]> {
  return deps.dataStores.list(ownerId);
}

/** The owner's data store; NotFoundError for a missing or foreign one. */
export async function getDataStore(deps: Deps, ownerId: string, id: string): Promise<DataStoreRecord> {
  const record = await deps.dataStores.get(ownerId, id);
  if (!record) throw new NotFoundError('data store', id);
  return record;
}

/** Renames the data store or changes its driver/URL (checked together as they will be stored). */
export async function updateDataStore(
  deps: Deps,
  ownerId: string,
  id: string,
  input: UpdateDataStoreInput,
): Promise<DataStoreRecord> {
  const body = parseRequest(UpdateDataStoreSchema, input);
  const current = await getDataStore(deps, ownerId, id);
  const driverId = body.params?.driverId ?? current.driverId;
  const jdbcUrl = body.params?.jdbcUrl ?? current.jdbcUrl;
  checkParams(driverId, jdbcUrl);
  const updated = await deps.dataStores.update(ownerId, id, {
    canonicalName: body.canonicalName,
    driverId,
    jdbcUrl,
    updated: deps.clock.now().toISOString(),
  });
  if (!updated) throw new NotFoundError('data store', id);
  return updated;
}

/** Deletes the owner's data store; NotFoundError for a missing or foreign one. */
export async function deleteDataStore(deps: Deps, ownerId: string, id: string): Promise<void> {
  if (!(await deps.dataStores.delete(ownerId, id))) throw new NotFoundError('data store', id);
}

/** The body of `POST externalDataStores/{id}/test/`: the login to try (used once, never stored). */
export const TestDataStoreSchema = z.strictObject({
  user: z.string().min(1).describe('Database user.'),
  password: z.string().describe('Its password; used for this test only, never stored.'),
});
export type TestDataStoreInput = z.input<typeof TestDataStoreSchema>;

/**
 * Connects to the owner's data store with the given login and runs a trivial query (DataRobot's connection
 * test). Throws a DataSourceError saying what failed (unreachable, refused login...), never with the password.
 */
export async function testDataStore(
  deps: Deps,
  ownerId: string,
  id: string,
  input: TestDataStoreInput,
): Promise<void> {
  const login = parseRequest(TestDataStoreSchema, input);
  const store = await getDataStore(deps, ownerId, id);
  await deps.sql.check(connectionTo(checkParams(store.driverId, store.jdbcUrl), login));
}
