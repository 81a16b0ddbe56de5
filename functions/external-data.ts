import type { DataSourceRecord } from '../shared/domain/data-source.js';
import { type DataStoreRecord, driverById, type ExternalDataDriver } from '../shared/domain/data-store.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { type ApiRequest, jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { json } from '../shared/http/api-response.js';
import { resourceRoutes } from '../shared/http/resource-routes.js';
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

/** The fields DataRobot shows on every data store and data source (`creator` is the owning user). */
function ownedDocument(r: DataStoreRecord | DataSourceRecord): Record<string, unknown> {
  return {
    id: r.id,
    canonicalName: r.canonicalName,
    type: r.type,
    creator: r.ownerId,
    updated: r.updated,
    role: 'OWNER',
  };
}

/** A data store as DataRobot shows it. */
function dataStoreDocument(s: DataStoreRecord): Record<string, unknown> {
  return {
    ...ownedDocument(s),
    driverClassType: driverById(s.driverId)?.driverClassType ?? null,
    params: { driverId: s.driverId, jdbcUrl: s.jdbcUrl },
  };
}

/** A data source as DataRobot shows it (params as given). */
function dataSourceDocument(s: DataSourceRecord): Record<string, unknown> {
  return { ...ownedDocument(s), params: s.params };
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
  ...resourceRoutes('/externalDataStores', getDeps, dataStoreDocument, {
    create: createDataStore,
    get: getDataStore,
    update: updateDataStore,
    remove: deleteDataStore,
  }),
  {
    method: 'POST',
    path: '/externalDataStores/{id}/test',
    handle: async (req) => {
      await testDataStore(await getDeps(), req.caller.ownerId, idOf(req), jsonBody(req) as never);
      return json(200, { message: 'Connection successful' });
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
  ...resourceRoutes('/externalDataSources', getDeps, dataSourceDocument, {
    create: createDataSource,
    get: getDataSource,
    update: updateDataSource,
    remove: deleteDataSource,
  }),
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
