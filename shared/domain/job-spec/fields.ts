import { z } from 'zod';

/** A required, non-empty string: ids, names, URLs (DataRobot's `String` rejects ""). */
export const text = () => z.string().min(1);

/** A stored credential's id; `null` means "no credential" (e.g. a public bucket). */
export const credentialId = () => text().nullable().optional();

/** File format of the cloud-storage adapters; DataRobot defaults to CSV. */
export const fileFormat = () => z.enum(['csv', 'parquet']).default('csv');

/** Cloud storage holding a warehouse's staged files (Snowflake external stage). */
export const cloudStorageType = () => z.enum(['azure', 'gcp', 's3']).default('s3');

/** Column names that partition a Parquet directory written by a cloud-storage output. */
export const partitionColumns = () => z.array(text()).optional();

/** DataRobot's warehouse table-writing statements; both spellings are accepted, as DataRobot does. */
export const createStatementTypes = ['insert', 'create_table', 'createTable'] as const;

/** Source selection of the SQL-like intakes: either a query or a table, never both. */
export function requireQueryOrTable(
  value: { readonly query?: string | undefined; readonly table?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.query !== undefined && value.table !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['query'], message: 'give either query or table, not both' });
  } else if (value.query === undefined && value.table === undefined) {
    ctx.addIssue({ code: 'custom', path: ['table'], message: 'required: a table (or a query instead)' });
  }
}

/** Partitioning exists only for Parquet directory output. */
export function requireParquetForPartitions(
  value: { readonly format: string; readonly partitionColumns?: readonly string[] | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.partitionColumns !== undefined && value.format !== 'parquet') {
    ctx.addIssue({
      code: 'custom',
      path: ['partitionColumns'],
      message: `only allowed with format "parquet" (format is "${value.format}")`,
    });
  }
}
