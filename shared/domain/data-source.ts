/**
 * External data sources, as DataRobot models them (`externalDataSources/`): a named read on top of a JDBC
 * data store, `{type: "jdbc", canonicalName, params}` with params `{dataStoreId, query}` or
 * `{dataStoreId, table, schema?, catalog?}`. A prediction dataset can be uploaded from one
 * (`projects/{id}/predictionDatasets/dataSourceUploads/`).
 */
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { UploadOptionsSchema } from './prediction-dataset.js';

/** DataRobot's fetchSize range. */
export const MAX_FETCH_SIZE = 20_000;

const paramFields = {
  dataStoreId: z.string().min(1).max(64).describe('An id from externalDataStores/.'),
  query: z.string().min(1).max(100_000).optional().describe('A SELECT to read (instead of table).'),
  table: z.string().min(1).max(255).optional().describe('A table to read whole (instead of query).'),
  schema: z.string().min(1).max(255).optional().describe("The table's schema (MySQL: its database)."),
  catalog: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe("The table's catalog: only the data store's database."),
  partitionColumn: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Accepted and shown; the read is one sequential query.'),
  fetchSize: z.int().min(1).max(MAX_FETCH_SIZE).optional().describe('Rows per fetch, 1..20000.'),
};

/** A data source's `params` as given and stored; {@link checkDataSourceParams} checks query versus table. */
export const DataSourceParamsSchema = z.strictObject(paramFields);
export type DataSourceParams = z.output<typeof DataSourceParamsSchema>;

/** The body of `POST externalDataSources/` (`DataSource.create`; `type` is jdbc, the only kind here). */
export const CreateDataSourceSchema = z.strictObject({
  type: z.literal('jdbc').default('jdbc').describe('Data source type; only "jdbc".'),
  canonicalName: z.string().min(1).max(255).describe('A name for the data source.'),
  params: DataSourceParamsSchema,
});

/**
 * The body of `PATCH externalDataSources/{id}/` (`DataSource.update`). Given params replace the stored ones
 * whole (the client sends them whole); a missing `dataStoreId` keeps the current data store.
 */
export const UpdateDataSourceSchema = z.strictObject({
  canonicalName: z.string().min(1).max(255).optional(),
  params: z.strictObject({ ...paramFields, dataStoreId: paramFields.dataStoreId.optional() }).optional(),
});

/** A stored data source. */
export const DataSourceRecordSchema = z.object({
  id: z.string(),
  ownerId: z.string(),
  canonicalName: z.string(),
  type: z.literal('jdbc'),
  params: z.object(paramFields),
  created: z.string(),
  updated: z.string(),
});
export type DataSourceRecord = z.output<typeof DataSourceRecordSchema>;

/**
 * Checks that params name exactly one read, a query or a table (schema and catalog qualify a table only).
 * Fields are named as in the request body (`params.query`, `params.table`...).
 */
export function checkDataSourceParams(params: DataSourceParams): void {
  if (params.query !== undefined && params.table !== undefined) {
    throw new ValidationError([{ field: 'params.query', message: 'give either query or table, not both' }]);
  }
  if (params.query === undefined && params.table === undefined) {
    throw new ValidationError([
      { field: 'params.table', message: 'required: a table (with its schema) or a query (params.query)' },
    ]);
  }
  for (const field of ['schema', 'catalog'] as const) {
    if (params.query !== undefined && params[field] !== undefined) {
      throw new ValidationError([
        { field: `params.${field}`, message: `qualifies params.table; name it in the query instead` },
      ]);
    }
  }
}

/**
 * The body of `POST projects/{id}/predictionDatasets/dataSourceUploads/`: the data source and how to log in
 * (a basic `credentialId`, or `user` and `password`, used for this read only and never stored), plus the
 * upload options. DataRobot's Python client sends some options snake_case here, so both spellings are accepted.
 */
export const DataSourceUploadSchema = UploadOptionsSchema.extend({
  dataSourceId: z.string().min(1).max(64).describe('An id from externalDataSources/.'),
  credentialId: z.string().min(1).max(64).optional().describe('A basic credential (user and password).'),
  user: z.string().min(1).optional().describe('Database user, instead of credentialId.'),
  password: z.string().optional().describe('Its password; used for this upload only, never stored.'),
  useKerberos: z.boolean().optional().describe('Kerberos is not supported; only false.'),
  predictions_start_date: z.string().optional(),
  predictions_end_date: z.string().optional(),
  secondary_datasets_config_id: z.string().optional(),
  actual_value_column: z.string().min(1).optional(),
});
