import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import { MonitoringBaselineSchema } from '../../domain/monitoring/baseline.js';
import { toFieldProblems } from '../../domain/zod-problems.js';
import {
  ExplanationManifestSchema,
  PredictionWarningManifestSchema,
} from '../explain/explanation-manifest.js';

/**
 * The user-facing model manifest: a small JSON file beside the ONNX file. Every field is optional where the graph
 * can tell; the manifest supplies only what the graph cannot (target name, the CSV columns that feed a tensor,
 * class labels of a graph that does not name them) and must not contradict what it can.
 */
export const ModelManifestSchema = z
  .object({
    targetName: z
      .string()
      .min(1)
      .optional()
      .describe('Name of the target; output columns are <targetName>_PREDICTION etc. Default "target".'),
    targetType: z.enum(['Binary', 'Multiclass', 'Regression']).optional(),
    classLabels: z
      .array(z.union([z.string(), z.number()]))
      .min(2)
      .optional()
      .describe("Class labels in the order of the model's probability columns."),
    positiveClass: z.union([z.string(), z.number()]).optional(),
    predictionThreshold: z.number().min(0).max(1).optional(),
    inputs: z
      .record(z.string(), z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]))
      .optional()
      .describe(
        'For each ONNX input: the CSV column that feeds it, or the ordered CSV columns that fill an [N, F] tensor.',
      ),
    outputs: z
      .object({
        probabilities: z.string().min(1).optional(),
        label: z.string().min(1).optional(),
        prediction: z.string().min(1).optional(),
      })
      .strict()
      .optional()
      .describe('Which graph outputs to read, when the graph has several candidates.'),
    explanations: ExplanationManifestSchema.optional(),
    predictionWarning: PredictionWarningManifestSchema.optional(),
    monitoringBaseline: MonitoringBaselineSchema.optional(),
  })
  .strict();

export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** Validates a manifest object (e.g. parsed JSON), naming failing fields as `manifest.<path>`. */
export function parseManifest(raw: unknown): ModelManifest {
  const parsed = ModelManifestSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      toFieldProblems(parsed.error).map((p) => ({
        ...p,
        field: p.field ? `manifest.${p.field}` : 'manifest',
      })),
    );
  }
  return parsed.data;
}
