/**
 * The dataset catalog (DataRobot's AI Catalog `datasets/`): a named dataset with immutable versions. Each
 * version's bytes are stored once under `datasets/<datasetId>/<versionId>/` and never rewritten, so scoring the
 * same version twice reads the same bytes. Datasets live outside the jobs' retention: only deleting the dataset
 * removes them.
 */
import { z } from 'zod';

/** File formats a dataset version may hold; a version's format is detected from its bytes at upload. */
export const DATASET_FORMATS = ['csv', 'parquet'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

const HEX_ID = z.string().regex(/^[0-9a-f]{24}$/);

/** One immutable version of a dataset. */
export const DatasetVersionRecordSchema = z.strictObject({
  id: HEX_ID,
  datasetId: HEX_ID,
  ownerId: z.string().min(1),
  /** The file name it was uploaded as, or the last segment of its URL. */
  fileName: z.string().min(1),
  format: z.enum(DATASET_FORMATS),
  /** Where the bytes are: {@link datasetVersionKey}. */
  objectKey: z.string().min(1),
  sizeBytes: z.int().min(0),
  /** Data rows (the header excluded). */
  rowCount: z.int().min(0),
  columnCount: z.int().min(0),
  /** Where the bytes came from: `file` for an upload, else the URL they were read from. */
  source: z.string().min(1),
  created: z.iso.datetime(),
});
export type DatasetVersionRecord = z.infer<typeof DatasetVersionRecordSchema>;

/** A dataset: its name, categories and latest version. */
export const DatasetRecordSchema = z.strictObject({
  id: HEX_ID,
  ownerId: z.string().min(1),
  name: z.string().min(1),
  categories: z.array(z.string()),
  latestVersionId: HEX_ID,
  created: z.iso.datetime(),
});
export type DatasetRecord = z.infer<typeof DatasetRecordSchema>;

/** Everything stored for a dataset, all its versions. */
export function datasetPrefix(datasetId: string): string {
  return `datasets/${datasetId}/`;
}

/** The object key of a version's bytes (written once, before the version is recorded). */
export function datasetVersionKey(datasetId: string, versionId: string): string {
  return `${datasetPrefix(datasetId)}${versionId}/data`;
}
