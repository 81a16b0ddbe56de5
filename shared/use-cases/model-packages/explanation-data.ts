/**
 * A model package's explanation data: the background rows explanations compare with (and, when it was sampled
 * from an uploaded training CSV, the file's per-column statistics). Kept as one JSON object beside the ONNX file
 * and referenced from the package record, so a 1,000-row background never pushes the record past DynamoDB's
 * 400 KB item limit; written before the package is READY, so it is pinned with the model version.
 */
import { z } from 'zod';
import { ModelError } from '../../domain/errors.js';
import { explanationDataKey, type ModelPackageRecord, trainingDataKey } from '../../domain/model-package.js';
import { BackgroundSchema, DEFAULT_SAMPLED_ROWS } from '../../engine/explain/explanation-manifest.js';
import { ColumnStatsSchema, sampleTrainingData } from '../../engine/explain/training-sample.js';
import { type ModelManifest, parseManifest } from '../../engine/model/manifest.js';
import type { Deps } from '../deps.js';
import { readObject } from '../jobs/object-bytes.js';

/** Largest training CSV read at finalize (it is read whole, once). */
export const MAX_TRAINING_BYTES = 256 * 1024 * 1024;

export const ExplanationDataSchema = z.strictObject({
  /** Where the background came from: the manifest's rows, or a sample of the uploaded training CSV. */
  source: z.enum(['manifest', 'trainingData']),
  /** Data rows of the training CSV; null for a manifest background. */
  trainingRows: z.int().min(1).nullable(),
  background: BackgroundSchema,
  /** Per-column statistics of the training CSV; null for a manifest background. */
  columns: z.array(ColumnStatsSchema).nullable(),
});
export type ExplanationData = z.infer<typeof ExplanationDataSchema>;

/**
 * Moves a manifest's explanations.background to object storage (at package creation). Returns the manifest to
 * keep in the record (without the rows) and the data key, or the manifest unchanged when it has no background.
 */
export async function storeManifestBackground(
  deps: Deps,
  packageId: string,
  manifest: ModelManifest,
): Promise<{ manifest: ModelManifest; explanationDataKey?: string }> {
  const explanations = manifest.explanations;
  if (!explanations?.background) return { manifest };
  const { background, ...rest } = explanations;
  const data: ExplanationData = { source: 'manifest', trainingRows: null, background, columns: null };
  const key = explanationDataKey(packageId);
  await deps.objects.put(key, Buffer.from(JSON.stringify(data)), { contentType: 'application/json' });
  return { manifest: { ...manifest, explanations: rest }, explanationDataKey: key };
}

/**
 * Samples the training CSV uploaded to the package, if any, into its explanation data (replacing a manifest
 * background). Returns the data key to record, or the record's current one when nothing was uploaded. Throws
 * ModelError for a file too large or unreadable.
 */
export async function sampleUploadedTrainingData(
  deps: Deps,
  record: ModelPackageRecord,
): Promise<string | undefined> {
  const key = trainingDataKey(record.id);
  const stored = await deps.objects.head(key);
  if (!stored) return record.explanationDataKey;
  if (stored.size > MAX_TRAINING_BYTES) {
    throw new ModelError(
      `the training data is ${stored.size} bytes; at most ${MAX_TRAINING_BYTES} bytes are read: upload a sample`,
    );
  }
  const rows = parseManifest(record.manifest).explanations?.backgroundRows ?? DEFAULT_SAMPLED_ROWS;
  const sample = sampleTrainingData(await readObject(deps.objects, key), rows);
  const data: ExplanationData = { source: 'trainingData', ...sample };
  const dataKey = explanationDataKey(record.id);
  await deps.objects.put(dataKey, Buffer.from(JSON.stringify(data)), { contentType: 'application/json' });
  return dataKey;
}

/** The package's explanation data, or null when it has none. */
export async function readExplanationData(
  deps: Deps,
  record: Pick<ModelPackageRecord, 'explanationDataKey'>,
): Promise<ExplanationData | null> {
  if (!record.explanationDataKey) return null;
  const text = (await readObject(deps.objects, record.explanationDataKey)).toString('utf8');
  return ExplanationDataSchema.parse(JSON.parse(text));
}

/** The manifest to load the model with: the stored one with its background put back in. */
export async function packageManifest(
  deps: Deps,
  record: Pick<ModelPackageRecord, 'manifest' | 'explanationDataKey'>,
): Promise<unknown> {
  const data = await readExplanationData(deps, record);
  if (!data) return record.manifest;
  const manifest = (record.manifest ?? {}) as { explanations?: Record<string, unknown> };
  return { ...manifest, explanations: { ...manifest.explanations, background: data.background } };
}

/** Whether the package has a background to explain with (in object storage, or inline in an older record). */
export function hasExplanationBackground(
  record: Pick<ModelPackageRecord, 'manifest' | 'explanationDataKey'>,
): boolean {
  const inline = (record.manifest as { explanations?: { background?: unknown } } | null)?.explanations;
  return record.explanationDataKey !== undefined || inline?.background !== undefined;
}
