/**
 * Reads a data source's rows once, as JDBC intake does (same SQL adapter, same CSV form: the database's text
 * form of each value, SQL NULL as an empty field), into one bounded CSV buffer for uploads that keep the rows
 * whole.
 */
import type { DataSourceRecord } from '../../domain/data-source.js';
import { checkDataStoreParams } from '../../domain/data-store.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { resolveDialect } from '../../engine/csv/dialect.js';
import type { SqlConnection, SqlRowReader, SqlSource } from '../../ports/sql-database.js';
import { connectionTo, sqlConnectionOf } from '../data-stores/sql-connection.js';
import type { Deps } from '../deps.js';
import { checkCatalog, csvOf, DEFAULT_FETCH_SIZE } from '../jobs/intake/jdbc-intake.js';

/** How to log in to the data source's database: a stored basic credential, or a user and password once. */
export type DataSourceLogin =
  | { readonly credentialId?: string | undefined }
  | { readonly user: string; readonly password: string };

/** A data source's rows as CSV (header first), with the number of data rows. */
export interface DataSourceRows {
  readonly csv: Buffer;
  readonly numRows: number;
}

/**
 * Connects as `login` and reads the data source's query or table.
 *
 * @param limits `maxBytes`, the most CSV bytes to keep (a larger result stops the read and is a
 *   ValidationError on `field`, the request field naming the data source)
 * @throws NotFoundError for a missing or foreign data store or credential; DataSourceError when the database
 *   refuses the login or the query (message without the password)
 */
export async function readDataSource(
  deps: Deps,
  source: DataSourceRecord,
  login: DataSourceLogin,
  limits: { readonly maxBytes: number; readonly field: string },
): Promise<DataSourceRows> {
  const connection = await connectionOf(deps, source, login);
  const { params } = source;
  checkCatalog('params.catalog', params.catalog, connection);
  const what: SqlSource =
    params.query !== undefined
      ? { query: params.query }
      : { table: params.table as string, schema: params.schema };
  const reader = await deps.sql.read(connection, what, { fetchSize: params.fetchSize ?? DEFAULT_FETCH_SIZE });
  let numRows = 0;
  const counted: SqlRowReader = {
    columns: reader.columns,
    batches: (async function* () {
      for await (const batch of reader.batches) {
        numRows += batch.length;
        yield batch;
      }
    })(),
  };
  const pieces: Buffer[] = [];
  let bytes = 0;
  // Leaving the loop early ends the generators, which closes the connection.
  for await (const piece of csvOf(counted, resolveDialect())) {
    bytes += piece.length;
    if (bytes > limits.maxBytes) {
      throw new ValidationError([
        {
          field: limits.field,
          message: `data source ${source.canonicalName} reads to more than ${limits.maxBytes} bytes of CSV, more than one upload holds; score it with a batch prediction job (intakeSettings type jdbc) instead`,
        },
      ]);
    }
    pieces.push(piece);
  }
  return { csv: Buffer.concat(pieces), numRows };
}

async function connectionOf(
  deps: Deps,
  source: DataSourceRecord,
  login: DataSourceLogin,
): Promise<SqlConnection> {
  const { dataStoreId } = source.params;
  if (!('user' in login)) {
    return sqlConnectionOf(deps, source.ownerId, { dataStoreId, credentialId: login.credentialId }, '');
  }
  const store = await deps.dataStores.get(source.ownerId, dataStoreId);
  if (!store) throw new NotFoundError('data store', dataStoreId.slice(0, 64));
  return connectionTo(checkDataStoreParams(store.driverId, store.jdbcUrl), login);
}
