/**
 * A model package: one ONNX file with its manifest, registered by an owner and deployable once READY.
 *
 * Life cycle: created AWAITING_UPLOAD (the bytes go straight to object storage through a presigned URL), then
 * finalized to READY (the model loaded and its summary recorded) or FAILED (statusDetails says why).
 */
import { z } from 'zod';

export const ModelPackageStatusSchema = z.enum(['AWAITING_UPLOAD', 'READY', 'FAILED']);
export type ModelPackageStatus = z.infer<typeof ModelPackageStatusSchema>;

/** What the model predicts and what it reads, resolved from the graph and the manifest at finalize time. */
export const ModelSummarySchema = z.strictObject({
  targetName: z.string().min(1),
  targetType: z.enum(['Binary', 'Multiclass', 'Regression']),
  /** In probability-column order; empty for regression. */
  classLabels: z.array(z.string()),
  positiveClass: z.string().nullable(),
  predictionThreshold: z.number().min(0).max(1),
  inputs: z.array(
    z.strictObject({
      name: z.string(),
      type: z.string(),
      /** CSV columns feeding this input, in tensor column order. */
      columns: z.array(z.string()),
    }),
  ),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const ModelPackageRecordSchema = z.strictObject({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  name: z.string().min(1),
  status: ModelPackageStatusSchema,
  statusDetails: z.string(),
  /** The manifest as the user gave it (already validated); opaque to stores. */
  manifest: z.unknown(),
  /** Where the ONNX bytes live: {@link modelObjectKey}. */
  objectKey: z.string().min(1),
  sizeBytes: z.int().min(0).nullable(),
  summary: ModelSummarySchema.nullable(),
  created: z.iso.datetime(),
  /**
   * Where the explanation background (and training-data statistics) lives: {@link explanationDataKey}, kept in
   * object storage so a large background never pushes this record past DynamoDB's 400 KB item limit.
   */
  explanationDataKey: z.string().min(1).optional(),
});
export type ModelPackageRecord = z.infer<typeof ModelPackageRecordSchema>;

/** The object key of a model package's ONNX file. */
export function modelObjectKey(modelPackageId: string): string {
  return `models/${modelPackageId}/model.onnx`;
}

/** The object key of a model package's explanation data (background sample, training statistics; JSON). */
export function explanationDataKey(modelPackageId: string): string {
  return `models/${modelPackageId}/explanations.json`;
}

/** The object key of the training CSV uploaded with a model package (read at finalize to sample a background). */
export function trainingDataKey(modelPackageId: string): string {
  return `models/${modelPackageId}/training-data.csv`;
}
