import { z } from 'zod';
import { cloudStorageType, credentialId, fileFormat, requireQueryOrTable, text } from './fields.js';

/** Data uploaded to the job by PUT (one body, or [3.x client] numbered parts when `multipart`). */
const LocalFileIntake = z.strictObject({
  type: z.literal('localFile'),
  multipart: z.boolean().optional().describe('Data arrives as numbered parts, then a finalize call.'),
  async: z.boolean().nullable().optional().describe('false: queue the job only once the upload is complete.'),
  format: z
    .enum(['csv', 'parquet'])
    .optional()
    .describe('[Batchline] parquet: each uploaded part is a Parquet file (absent: CSV, and not echoed).'),
});

const S3Intake = z.strictObject({
  type: z.literal('s3'),
  url: text().describe('e.g. s3://bucket/key.csv'),
  credentialId: credentialId(),
  endpointUrl: text().optional().describe('Non-AWS S3-compatible endpoint.'),
  format: fileFormat(),
});

const AzureIntake = z.strictObject({
  type: z.literal('azure'),
  url: text(),
  credentialId: credentialId(),
  format: fileFormat(),
});

const GcpIntake = z.strictObject({
  type: z.literal('gcp'),
  url: text(),
  credentialId: credentialId(),
  format: fileFormat(),
});

const JdbcIntake = z
  .strictObject({
    type: z.literal('jdbc'),
    dataStoreId: text(),
    credentialId: credentialId(),
    query: text().optional(),
    table: text().optional(),
    schema: text().optional(),
    catalog: text().optional(),
    fetchSize: z.int().min(1).max(1_000_000).optional(),
  })
  .superRefine(requireQueryOrTable);

const SnowflakeIntake = z
  .strictObject({
    type: z.literal('snowflake'),
    externalStage: text(),
    dataStoreId: text(),
    credentialId: credentialId(),
    cloudStorageType: cloudStorageType(),
    cloudStorageCredentialId: credentialId(),
    query: text().optional(),
    table: text().optional(),
    schema: text().optional(),
    catalog: text().optional(),
  })
  .superRefine(requireQueryOrTable);

const SynapseIntake = z
  .strictObject({
    type: z.literal('synapse'),
    externalDataSource: text(),
    dataStoreId: text(),
    credentialId: credentialId(),
    cloudStorageCredentialId: credentialId(),
    query: text().optional(),
    table: text().optional(),
    schema: text().optional(),
  })
  .superRefine(requireQueryOrTable);

const BigQueryIntake = z.strictObject({
  type: z.literal('bigquery'),
  dataset: text(),
  table: text(),
  bucket: text().describe('GCS bucket the table is exported through.'),
  credentialId: credentialId(),
});

/** An AI Catalog dataset (latest version unless one is named). */
const DatasetIntake = z.strictObject({
  type: z.literal('dataset'),
  datasetId: text(),
  datasetVersionId: text().optional(),
});

const DatasphereIntake = z.strictObject({
  type: z.literal('datasphere'),
  dataStoreId: text(),
  credentialId: credentialId(),
  schema: text(),
  table: text(),
});

/** A project's own data ([3.x client] `dss`), optionally one partition of it. */
const DssIntake = z.strictObject({
  type: z.literal('dss'),
  projectId: text(),
  datasetId: text().optional(),
  partition: z.enum(['holdout', 'validation', 'allBacktests']).nullable().optional(),
});

/** Where a job reads the data it scores (`intakeSettings`), one shape per adapter `type`. */
export const IntakeSettingsSchema = z.discriminatedUnion('type', [
  LocalFileIntake,
  S3Intake,
  AzureIntake,
  GcpIntake,
  JdbcIntake,
  SnowflakeIntake,
  SynapseIntake,
  BigQueryIntake,
  DatasetIntake,
  DatasphereIntake,
  DssIntake,
]);

export type IntakeSettings = z.output<typeof IntakeSettingsSchema>;
export type IntakeType = IntakeSettings['type'];
