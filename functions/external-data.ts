import type { DataSourceRecord } from '../shared/domain/data-source.js';
import { type DataStoreRecord, driverById, type ExternalDataDriver } from '../shared/domain/data-store.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { type ApiRequest, jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { empty, json } from '../shared/http/api-response.js';
import type { Route } from '../shared/http/router.js';
import {
  createDataSource,
  deleteDataSource,
  getDataSource,
  listDataSources,
  updateDataSource,
} from '../shared/use-cases/data-sources/manage-data-sources.js';
import {
  createDataStore,
  deleteDataStore,
  getDataStore,
  getDriver,
  listDataStores,
  listDrivers,
  testDataStore,
  updateDataStore,
} from '../shared/use-cases/data-stores/manage-data-stores.js';
import { getDeps, logUnexpected } from './composition.js';

/** A driver as DataRobot lists it. */
function driverDocument(d: ExternalDataDriver): Record<string, unknown> {
  return {
    id: d.id,
    canonicalName: d.canonicalName,
    className: d.className,
    baseNames: d.baseNames,
    version: d.version,
    type: d.type,
    creator: d.creator,
    databaseDriver: d.databaseDriver,
  };
}

/** A data store as DataRobot shows it (`creator` is the owning user). */
function dataStoreDocument(s: DataStoreRecord): Record<string, unknown> {
  return {
    id: s.id,
    canonicalName: s.canonicalName,
    type: s.type,
    creator: s.ownerId,
    updated: s.updated,
    role: 'OWNER',
    driverClassType: driverById(s.driverId)?.driverClassType ?? null,
    params: { driverId: s.driverId, jdbcUrl: s.jdbcUrl },
  };
}

/** A data source as DataRobot shows it (`creator` is the owning user; params as given). */
function dataSourceDocument(s: DataSourceRecord): Record<string, unknown> {
  return {
    id: s.id,
    canonicalName: s.canonicalName,
    type: s.type,
    creator: s.ownerId,
    updated: s.updated,
    role: 'OWNER',
    params: s.params,
  };
}

/** Lists are short (a fixed catalog, a user's data stores), so they come in one page. */
function list(items: Record<string, unknown>[]) {
  return json(200, {
    count: items.length,
    totalCount: items.length,
    next: null,
    previous: null,
    data: items,
  });
}

const idOf = (req: ApiRequest) => req.params.id as string;

/**
 * External data drivers (read-only catalog), data stores (create, list, get, update, delete, test) and data
 * sources (create, list, get, update, delete).
 */
export const routes: Route[] = [
  {
    method: 'GET',
    path: '/externalDataDrivers',
    handle: async () => list(listDrivers().map(driverDocument)),
  },
  {
    method: 'GET',
    path: '/externalDataDrivers/{id}',
    handle: async (req) => json(200, driverDocument(getDriver(idOf(req)))),
  },
  {
    method: 'GET',
    path: '/externalDataStores',
    handle: async (req) =>
      list((await listDataStores(await getDeps(), req.caller.ownerId)).map(dataStoreDocument)),
  },
  {
    method: 'POST',
    path: '/externalDataStores',
    handle: async (req) => {
      const store = await createDataStore(await getDeps(), req.caller.ownerId, jsonBody(req) as never);
      return json(201, dataStoreDocument(store), {
        Location: `${req.baseUrl}/externalDataStores/${store.id}/`,
      });
    },
  },
  {
    method: 'GET',
    path: '/externalDataStores/{id}',
    handle: async (req) =>
      json(200, dataStoreDocument(await getDataStore(await getDeps(), req.caller.ownerId, idOf(req)))),
  },
  {
    method: 'PATCH',
    path: '/externalDataStores/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      const store = await updateDataStore(deps, req.caller.ownerId, idOf(req), jsonBody(req) as never);
      return json(200, dataStoreDocument(store));
    },
  },
  {
    method: 'POST',
    path: '/externalDataStores/{id}/test',
    handle: async (req) => {
      await testDataStore(await getDeps(), req.caller.ownerId, idOf(req), jsonBody(req) as never);
      return json(200, { message: 'Connection successful' });
    },
  },
  {
    method: 'DELETE',
    path: '/externalDataStores/{id}',
    handle: async (req) => {
      await deleteDataStore(await getDeps(), req.caller.ownerId, idOf(req));
      return empty(204);
    },
  },
  {
    method: 'GET',
    path: '/externalDataSources',
    handle: async (req) => {
      const page = pageOf(req);
      const result = await listDataSources(await getDeps(), req.caller.ownerId, page);
      return json(200, pageEnvelope(req, result.items.map(dataSourceDocument), result.totalCount, page));
    },
  },
  {
    method: 'POST',
    path: '/externalDataSources',
    handle: async (req) => {
      const source = await createDataSource(await getDeps(), req.caller.ownerId, jsonBody(req));
      return json(201, dataSourceDocument(source), {
        Location: `${req.baseUrl}/externalDataSources/${source.id}/`,
      });
    },
  },
  {
    method: 'GET',
    path: '/externalDataSources/{id}',
    handle: async (req) =>
      json(200, dataSourceDocument(await getDataSource(await getDeps(), req.caller.ownerId, idOf(req)))),
  },
  {
    method: 'PATCH',
    path: '/externalDataSources/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      const source = await updateDataSource(deps, req.caller.ownerId, idOf(req), jsonBody(req));
      return json(200, dataSourceDocument(source));
    },
  },
  {
    method: 'DELETE',
    path: '/externalDataSources/{id}',
    handle: async (req) => {
      await deleteDataSource(await getDeps(), req.caller.ownerId, idOf(req));
      return empty(204);
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
