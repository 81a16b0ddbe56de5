/**
 * What a model package carries for prediction explanations and prediction warnings (manifest fields
 * `explanations` and `predictionWarning`). Stored with the package, so they are pinned with the model version;
 * the background itself is kept in object storage beside the model (see model-packages/explanation-data.ts), and
 * may instead be sampled from a training CSV uploaded with the package.
 */
import { z } from 'zod';

/** Most background rows a manifest may carry (the design's 100–1,000 raw training rows). */
export const MAX_BACKGROUND_ROWS = 1000;

/** Background rows sampled from an uploaded training CSV when the manifest does not say how many. */
export const DEFAULT_SAMPLED_ROWS = 500;

const CellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Background rows: raw CSV values keyed by column. */
export const BackgroundSchema = z.array(z.record(z.string(), CellSchema)).min(1).max(MAX_BACKGROUND_ROWS);
export type Background = z.infer<typeof BackgroundSchema>;

export const ExplanationManifestSchema = z
  .strictObject({
    background: BackgroundSchema.optional().describe(
      'Training rows (raw CSV values keyed by column; null or "" = missing) that explanations compare with: the base value is the mean prediction over them. A fixed, seeded sample of 100–1,000 rows. Leave out when uploading a training CSV (modelPackages/{id}/trainingData/), which is sampled instead.',
    ),
    backgroundRows: z
      .int()
      .min(1)
      .max(MAX_BACKGROUND_ROWS)
      .default(DEFAULT_SAMPLED_ROWS)
      .describe('Rows sampled (seeded, deterministic) from an uploaded training CSV as the background.'),
    defaultAlgorithm: z
      .enum(['shap', 'xemp'])
      .optional()
      .describe(
        'Algorithm when a job does not set explanationAlgorithm; default shap (xemp for multiclass).',
      ),
    treeReferences: z
      .int()
      .min(1)
      .max(MAX_BACKGROUND_ROWS)
      .optional()
      .describe(
        'Background rows TreeSHAP compares each row with (the first ones); default all. Cost grows linearly with it.',
      ),
    evaluationBudget: z
      .int()
      .min(64)
      .max(1_000_000)
      .default(4096)
      .describe(
        'Model evaluations per explained row for models explained through onnxruntime: exact Shapley values while 2^M·B fits, sampled above.',
      ),
  })
  .describe('Background data for prediction explanations.');

export type ExplanationManifest = z.infer<typeof ExplanationManifestSchema>;

export const PredictionWarningManifestSchema = z
  .strictObject({ lower: z.number(), upper: z.number() })
  .refine((b) => b.lower <= b.upper, { message: 'lower must not exceed upper', path: ['upper'] })
  .describe(
    'Regression outlier bounds for prediction warnings; default: fences Q1 − 3·IQR, Q3 + 3·IQR of the predictions on explanations.background.',
  );

export type PredictionWarningBounds = z.infer<typeof PredictionWarningManifestSchema>;
