/**
 * External data drivers and data stores, as DataRobot models them for JDBC intake and output: a fixed catalog of
 * drivers this build can run (`externalDataDrivers/`), and per-owner data stores `{canonicalName, type: "jdbc",
 * params: {driverId, jdbcUrl}}` (`externalDataStores/`) that a job names by `dataStoreId`.
 *
 * JDBC URLs are parsed here into host, port, database and parameters; only PostgreSQL and MySQL/MariaDB URLs are
 * accepted, other well-known JDBC subprotocols are answered "not supported yet".
 */
import { z } from 'zod';
import { NotSupportedError, ValidationError } from './errors.js';

/** The SQL dialects the adapters speak. */
export type SqlDialect = 'postgresql' | 'mysql';

/** One entry of `externalDataDrivers/`: DataRobot's driver fields, plus which dialect runs it here. */
export interface ExternalDataDriver {
  readonly id: string;
  readonly canonicalName: string;
  /** The JDBC driver class DataRobot would load; informational (the Node library in `baseNames` does the work). */
  readonly className: string;
  /** The libraries implementing the driver (DataRobot lists the driver's jar files here). */
  readonly baseNames: readonly string[];
  readonly version: string;
  readonly type: 'jdbc';
  /** Built in, so no user created it. */
  readonly creator: null;
  /** DataRobot's field for connector-based drivers; null for JDBC drivers. */
  readonly databaseDriver: null;
  /** DataRobot's short name of the database kind, shown on data stores as `driverClassType`. */
  readonly driverClassType: string;
  /** JDBC subprotocols (`jdbc:<scheme>://`) a data store of this driver may use. */
  readonly schemes: readonly string[];
  readonly dialect: SqlDialect;
}

/** The drivers this build runs. Ids are fixed, so data stores and scripts can name them across installations. */
export const EXTERNAL_DATA_DRIVERS: readonly ExternalDataDriver[] = [
  {
    id: '6a6462630000000000000001',
    canonicalName: 'PostgreSQL',
    className: 'org.postgresql.Driver',
    baseNames: ['pg'],
    version: '8',
    type: 'jdbc',
    creator: null,
    databaseDriver: null,
    driverClassType: 'postgres',
    schemes: ['postgresql'],
    dialect: 'postgresql',
  },
  {
    id: '6a6462630000000000000002',
    canonicalName: 'MySQL',
    className: 'com.mysql.cj.jdbc.Driver',
    baseNames: ['mysql2'],
    version: '3',
    type: 'jdbc',
    creator: null,
    databaseDriver: null,
    driverClassType: 'mysql',
    schemes: ['mysql', 'mariadb'],
    dialect: 'mysql',
  },
  {
    id: '6a6462630000000000000003',
    canonicalName: 'MariaDB',
    className: 'org.mariadb.jdbc.Driver',
    baseNames: ['mysql2'],
    version: '3',
    type: 'jdbc',
    creator: null,
    databaseDriver: null,
    driverClassType: 'mariadb',
    schemes: ['mariadb', 'mysql'],
    dialect: 'mysql',
  },
];

/** The driver with this id, or undefined. */
export function driverById(id: string): ExternalDataDriver | undefined {
  return EXTERNAL_DATA_DRIVERS.find((driver) => driver.id === id);
}

/** JDBC subprotocols of databases DataRobot connects to that have no adapter here yet. */
const UNSUPPORTED_SCHEMES: Readonly<Record<string, string>> = {
  snowflake: 'Snowflake',
  redshift: 'Amazon Redshift',
  sqlserver: 'Microsoft SQL Server',
  jtds: 'Microsoft SQL Server',
  oracle: 'Oracle',
  db2: 'IBM Db2',
  bigquery: 'Google BigQuery',
  databricks: 'Databricks',
  spark: 'Databricks',
  hive2: 'Apache Hive',
  presto: 'Presto',
  trino: 'Trino',
  sap: 'SAP HANA',
  teradata: 'Teradata',
  exa: 'Exasol',
  clickhouse: 'ClickHouse',
  vertica: 'Vertica',
  athena: 'Amazon Athena',
  awsathena: 'Amazon Athena',
};

/** Default ports, used when the URL names none. */
const DEFAULT_PORTS: Readonly<Record<SqlDialect, number>> = { postgresql: 5432, mysql: 3306 };

/** A parsed `jdbc:<scheme>://host[:port][/database][?k=v&...]` URL. */
export interface JdbcUrl {
  readonly scheme: string;
  readonly dialect: SqlDialect;
  readonly host: string;
  readonly port: number;
  /** Empty when the URL names no database (MySQL then needs `schema` on the job; PostgreSQL uses the user's). */
  readonly database: string;
  /** Query parameters; see docs/api.md "SQL databases" for the ones the adapters honour. */
  readonly params: Readonly<Record<string, string>>;
}

const JDBC_URL =
  /^jdbc:([A-Za-z0-9]+):\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?;@\s]+)(?::(\d{1,5}))?(?:\/([^?;\s]*))?(?:[?;](\S*))?$/;

/**
 * Parses a JDBC URL of a supported database.
 *
 * @param field the request field it came from, named in errors (e.g. `params.jdbcUrl`)
 * @throws NotSupportedError for a known JDBC database without an adapter (Snowflake, Redshift, SQL Server, ...)
 * @throws ValidationError for anything else that is not a PostgreSQL or MySQL/MariaDB JDBC URL
 */
export function parseJdbcUrl(field: string, url: string): JdbcUrl {
  const scheme = /^jdbc:([A-Za-z0-9]+):/.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && UNSUPPORTED_SCHEMES[scheme] !== undefined) {
    throw new NotSupportedError(
      field,
      `${field}: ${UNSUPPORTED_SCHEMES[scheme]} (jdbc:${scheme}) is not supported yet; supported: PostgreSQL (jdbc:postgresql://), MySQL/MariaDB (jdbc:mysql://, jdbc:mariadb://)`,
    );
  }
  const match = JDBC_URL.exec(url);
  const dialect =
    scheme === 'postgresql' ? 'postgresql' : scheme === 'mysql' || scheme === 'mariadb' ? 'mysql' : null;
  if (!match || dialect === null) {
    throw new ValidationError([
      {
        field,
        message:
          'expected a JDBC URL like jdbc:postgresql://host:5432/database or jdbc:mysql://host:3306/database (also jdbc:mariadb://)',
      },
    ]);
  }
  const port = match[3] === undefined ? DEFAULT_PORTS[dialect] : Number(match[3]);
  if (port < 1 || port > 65_535) {
    throw new ValidationError([{ field, message: `port ${port} is out of range 1..65535` }]);
  }
  const host = (match[2] as string).replace(/^\[(.*)\]$/, '$1');
  return {
    scheme: scheme as string,
    dialect,
    host,
    port,
    database: decodeURIComponent(match[4] ?? ''),
    params: Object.fromEntries(new URLSearchParams((match[5] ?? '').replaceAll(';', '&'))),
  };
}

/** The body of `POST externalDataStores/` (DataRobot's fields; `type` is jdbc, the only kind here). */
export const CreateDataStoreSchema = z.strictObject({
  canonicalName: z.string().min(1).max(255).describe('A name for the data store.'),
  type: z.literal('jdbc').default('jdbc').describe('Data store type; only "jdbc".'),
  params: z.strictObject({
    driverId: z.string().min(1).describe('An id from externalDataDrivers/.'),
    jdbcUrl: z.string().min(1).max(2048).describe('e.g. jdbc:postgresql://host:5432/database'),
  }),
});
export type CreateDataStoreInput = z.input<typeof CreateDataStoreSchema>;

/** The body of `PATCH externalDataStores/{id}/`: any of the fields, params replaced as given. */
export const UpdateDataStoreSchema = z.strictObject({
  canonicalName: z.string().min(1).max(255).optional(),
  params: z
    .strictObject({
      driverId: z.string().min(1).optional(),
      jdbcUrl: z.string().min(1).max(2048).optional(),
    })
    .optional(),
});
export type UpdateDataStoreInput = z.input<typeof UpdateDataStoreSchema>;

/** A stored data store. */
export const DataStoreRecordSchema = z.object({
  id: z.string(),
  ownerId: z.string(),
  canonicalName: z.string(),
  type: z.literal('jdbc'),
  driverId: z.string(),
  jdbcUrl: z.string(),
  created: z.string(),
  updated: z.string(),
});
export type DataStoreRecord = z.output<typeof DataStoreRecordSchema>;

/**
 * Checks that a data store's driver exists and its URL suits the driver; returns the parsed URL.
 * Fields are named as in the request body (`params.driverId`, `params.jdbcUrl`).
 */
export function checkDataStoreParams(driverId: string, jdbcUrl: string): JdbcUrl {
  const driver = driverById(driverId);
  if (!driver) {
    throw new ValidationError([
      { field: 'params.driverId', message: `no driver ${driverId.slice(0, 64)}; see externalDataDrivers/` },
    ]);
  }
  const url = parseJdbcUrl('params.jdbcUrl', jdbcUrl);
  if (!driver.schemes.includes(url.scheme)) {
    throw new ValidationError([
      {
        field: 'params.jdbcUrl',
        message: `jdbc:${url.scheme} does not match the ${driver.canonicalName} driver, which takes ${driver.schemes.map((s) => `jdbc:${s}://`).join(' or ')}`,
      },
    ]);
  }
  return url;
}
