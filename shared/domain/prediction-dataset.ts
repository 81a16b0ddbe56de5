/**
 * Prediction datasets: files uploaded to a project to be scored by its models (`Project.upload_dataset`,
 * protocol predict-and-monitoring §1.2-1.3). The bytes are kept as uploaded; the record holds what the client
 * reads (rows, columns) and what a predict request checks (the column names).
 */
import { z } from 'zod';

export const PredictionDatasetRecordSchema = z.strictObject({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  projectId: z.string().min(1),
  name: z.string().min(1),
  objectKey: z.string().min(1),
  sizeBytes: z.int().min(0),
  numRows: z.int().min(0),
  columns: z.array(z.string()),
  actualValueColumn: z.string().nullable(),
  created: z.iso.datetime(),
});
export type PredictionDatasetRecord = z.infer<typeof PredictionDatasetRecordSchema>;

/**
 * The text parts of a file upload and the JSON of a URL upload besides the file or url (the client camelCases
 * them; its data source upload sends some snake_case, accepted too). Time series keys are refused later: these
 * projects have no time series models.
 */
export const UploadOptionsSchema = z.strictObject({
  forecastPoint: z.string().optional(),
  predictionsStartDate: z.string().optional(),
  predictionsEndDate: z.string().optional(),
  actualValueColumn: z.string().min(1).optional(),
  relaxKnownInAdvanceFeaturesCheck: z
    .union([z.boolean(), z.enum(['True', 'False', 'true', 'false'])])
    .optional(),
  credentials: z.string().optional(),
  secondaryDatasetsConfigId: z.string().optional(),
});
export type UploadOptions = z.infer<typeof UploadOptionsSchema>;

/** `POST projects/{id}/predictionDatasets/urlUploads/`. */
export const UrlUploadSchema = UploadOptionsSchema.extend({ url: z.string().min(1) });
