/** The owner's `externalDataSources/`: create, list, get, update and delete. */
import {
  CreateDataSourceSchema,
  checkDataSourceParams,
  type DataSourceParams,
  type DataSourceRecord,
  UpdateDataSourceSchema,
} from '../../domain/data-source.js';
import { NotFoundError } from '../../domain/errors.js';
import { requireDataStore } from '../data-stores/sql-connection.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';

/** Checks that params name one read and that their data store is the owner's (404 otherwise). */
async function checkParams(deps: Deps, ownerId: string, params: DataSourceParams): Promise<void> {
  checkDataSourceParams(params);
  await requireDataStore(deps, ownerId, params.dataStoreId);
}

/** Stores a new data source for the owner after checking its params and data store. */
export async function createDataSource(
  deps: Deps,
  ownerId: string,
  input: unknown,
): Promise<DataSourceRecord> {
  const body = parseRequest(CreateDataSourceSchema, input);
  await checkParams(deps, ownerId, body.params);
  const now = deps.clock.now().toISOString();
  const record: DataSourceRecord = {
    id: deps.newId(),
    ownerId,
    canonicalName: body.canonicalName,
    type: body.type,
    params: body.params,
    created: now,
    updated: now,
  };
  await deps.dataSources.create(record);
  return record;
}

/** One page of the owner's data sources, oldest first, and how many there are. */
export async function listDataSources(
  deps: Deps,
  ownerId: string,
  page: { offset: number; limit: number },
): Promise<{ items: DataSourceRecord[]; totalCount: number }> {
  const all = await deps.dataSources.list(ownerId);
  return { items: all.slice(page.offset, page.offset + page.limit), totalCount: all.length };
}

/** The owner's data source; NotFoundError for a missing or foreign one. */
export async function getDataSource(deps: Deps, ownerId: string, id: string): Promise<DataSourceRecord> {
  const record = await deps.dataSources.get(ownerId, id);
  if (!record) throw new NotFoundError('data source', id.slice(0, 64));
  return record;
}

/** Renames the data source or replaces its params (checked as they will be stored). */
export async function updateDataSource(
  deps: Deps,
  ownerId: string,
  id: string,
  input: unknown,
): Promise<DataSourceRecord> {
  const body = parseRequest(UpdateDataSourceSchema, input);
  const current = await getDataSource(deps, ownerId, id);
  const params = body.params && {
    ...body.params,
    dataStoreId: body.params.dataStoreId ?? current.params.dataStoreId,
  };
  if (params) await checkParams(deps, ownerId, params);
  const updated = await deps.dataSources.update(ownerId, id, {
    canonicalName: body.canonicalName,
    params,
    updated: deps.clock.now().toISOString(),
  });
  if (!updated) throw new NotFoundError('data source', id.slice(0, 64));
  return updated;
}

/** Deletes the owner's data source; NotFoundError for a missing or foreign one. */
export async function deleteDataSource(deps: Deps, ownerId: string, id: string): Promise<void> {
  if (!(await deps.dataSources.delete(ownerId, id))) throw new NotFoundError('data source', id.slice(0, 64));
}
