import { z } from 'zod';
import {
  cloudStorageType,
  createStatementTypes,
  credentialId,
  fileFormat,
  partitionColumns,
  requireParquetForPartitions,
  text,
} from './fields.js';

/** Results streamed from the job's download link. */
const LocalFileOutput = z.strictObject({ type: z.literal('localFile') });

/** Server-side encryption of the object an `s3` output writes (DataRobot's field names). */
const ServerSideEncryption = z.strictObject({
  algorithm: z.enum(['AES256', 'aws:kms']).optional(),
  kmsKeyId: text().optional(),
  kmsEncryptionContext: text().optional().describe('Base64 JSON, as S3 takes it.'),
  customerAlgorithm: text().optional().describe('SSE-C; refused: the key would be echoed in the job spec.'),
  customerKey: text().optional(),
});

const S3Output = z
  .strictObject({
    type: z.literal('s3'),
    url: text(),
    credentialId: credentialId(),
    endpointUrl: text().optional(),
    format: fileFormat(),
    partitionColumns: partitionColumns(),
    serverSideEncryption: ServerSideEncryption.optional(),
  })
  .superRefine(requireParquetForPartitions);

const AzureOutput = z
  .strictObject({
    type: z.literal('azure'),
    url: text(),
    credentialId: credentialId(),
    format: fileFormat(),
    partitionColumns: partitionColumns(),
  })
  .superRefine(requireParquetForPartitions);

const GcpOutput = z
  .strictObject({
    type: z.literal('gcp'),
    url: text(),
    credentialId: credentialId(),
    format: fileFormat(),
    partitionColumns: partitionColumns(),
  })
  .superRefine(requireParquetForPartitions);

/** Statements that match existing rows and so need `whereColumns` to identify them. */
const ROW_MATCHING_STATEMENTS: ReadonlySet<string> = new Set(['update', 'insert_update', 'insertUpdate']);

const JdbcOutput = z
  .strictObject({
    type: z.literal('jdbc'),
    dataStoreId: text(),
    credentialId: credentialId(),
    table: text(),
    schema: text().optional(),
    catalog: text().optional(),
    statementType: z.enum([...createStatementTypes, 'update', 'insert_update', 'insertUpdate']),
    updateColumns: z
      .array(text())
      .optional()
      .describe('Columns an update writes; default: all but whereColumns.'),
    whereColumns: z.array(text()).optional().describe('Columns that identify the row an update matches.'),
    createTableIfNotExists: z.boolean().default(false),
    commitInterval: z.int().min(0).max(86_400).default(600).describe('Seconds between commits.'),
  })
  .superRefine((output, ctx) => {
    if (ROW_MATCHING_STATEMENTS.has(output.statementType) && (output.whereColumns ?? []).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['whereColumns'],
        message: `required with statementType "${output.statementType}": the columns that identify a row`,
      });
    }
  });

const SnowflakeOutput = z.strictObject({
  type: z.literal('snowflake'),
  externalStage: text(),
  dataStoreId: text(),
  credentialId: credentialId(),
  cloudStorageType: cloudStorageType(),
  cloudStorageCredentialId: credentialId(),
  table: text(),
  schema: text().optional(),
  catalog: text().optional(),
  statementType: z.enum(createStatementTypes),
  createTableIfNotExists: z.boolean().default(false),
});

const SynapseOutput = z.strictObject({
  type: z.literal('synapse'),
  externalDataSource: text(),
  dataStoreId: text(),
  credentialId: credentialId(),
  cloudStorageCredentialId: credentialId(),
  table: text(),
  schema: text().optional(),
  statementType: z.enum(createStatementTypes),
  createTableIfNotExists: z.boolean().default(false),
});

const BigQueryOutput = z.strictObject({
  type: z.literal('bigquery'),
  dataset: text(),
  table: text(),
  bucket: text(),
  credentialId: credentialId(),
});

const DatasphereOutput = z.strictObject({
  type: z.literal('datasphere'),
  dataStoreId: text(),
  credentialId: credentialId(),
  schema: text(),
  table: text(),
});

/** Where a job writes its scored rows (`outputSettings`), one shape per adapter `type`. */
export const OutputSettingsSchema = z.discriminatedUnion('type', [
  LocalFileOutput,
  S3Output,
  AzureOutput,
  GcpOutput,
  JdbcOutput,
  SnowflakeOutput,
  SynapseOutput,
  BigQueryOutput,
  DatasphereOutput,
]);

export type OutputSettings = z.output<typeof OutputSettingsSchema>;
export type OutputType = OutputSettings['type'];
