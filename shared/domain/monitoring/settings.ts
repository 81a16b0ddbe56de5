/** A deployment's monitoring settings, as DataRobot's `deployments/{id}/settings/` carries them. */
import { z } from 'zod';

/** Regression outlier bounds a deployment sets for prediction warnings (DataRobot's `customBoundaries`). */
export const PredictionWarningBoundariesSchema = z
  .strictObject({ lower: z.number(), upper: z.number() })
  .refine((b) => b.lower <= b.upper, { message: 'lower must not exceed upper', path: ['upper'] });

/**
 * Prediction warnings of a deployment: `enabled` applies to jobs that leave predictionWarningEnabled null;
 * customBoundaries null = the model package's bounds.
 */
export const PredictionWarningSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  customBoundaries: PredictionWarningBoundariesSchema.nullable(),
});

export const MonitoringSettingsSchema = z.strictObject({
  associationId: z.strictObject({
    /** The input column whose value identifies a prediction for actuals (DataRobot allows one). */
    columnNames: z.array(z.string().min(1).max(128)).max(1),
    /** Jobs whose input lacks the column fail instead of being scored without association ids. */
    requiredInPredictionRequests: z.boolean(),
  }),
  targetDrift: z.strictObject({ enabled: z.boolean() }),
  featureDrift: z.strictObject({ enabled: z.boolean() }),
  predictionWarning: PredictionWarningSettingsSchema.default({ enabled: false, customBoundaries: null }),
});
export type MonitoringSettings = z.infer<typeof MonitoringSettingsSchema>;

/** Settings of a deployment nobody has changed: drift tracked, no association id. */
export function defaultMonitoringSettings(): MonitoringSettings {
  return {
    associationId: { columnNames: [], requiredInPredictionRequests: false },
    targetDrift: { enabled: true },
    featureDrift: { enabled: true },
    predictionWarning: { enabled: false, customBoundaries: null },
  };
}

/**
 * A settings PATCH as the DataRobot client sends it (camelCase, partial). Keys this API does not act on
 * (predictionIntervals, predictionsDataCollection, ...) are accepted and ignored.
 */
export const MonitoringSettingsPatchSchema = z.looseObject({
  associationId: z
    .strictObject({
      columnNames: z.array(z.string().min(1).max(128)).max(1, 'at most one association id column').optional(),
      requiredInPredictionRequests: z.boolean().optional(),
    })
    .optional(),
  targetDrift: z.strictObject({ enabled: z.boolean() }).optional(),
  featureDrift: z.strictObject({ enabled: z.boolean() }).optional(),
  predictionWarning: z
    .strictObject({
      enabled: z.boolean().optional(),
      customBoundaries: PredictionWarningBoundariesSchema.nullable().optional(),
    })
    .optional(),
});
export type MonitoringSettingsPatch = z.infer<typeof MonitoringSettingsPatchSchema>;

/** Applies a PATCH to the current settings. */
export function patchSettings(
  current: MonitoringSettings,
  patch: MonitoringSettingsPatch,
): MonitoringSettings {
  return {
    associationId: {
      columnNames: patch.associationId?.columnNames ?? current.associationId.columnNames,
      requiredInPredictionRequests:
        patch.associationId?.requiredInPredictionRequests ??
        current.associationId.requiredInPredictionRequests,
    },
    targetDrift: patch.targetDrift ?? current.targetDrift,
    featureDrift: patch.featureDrift ?? current.featureDrift,
    predictionWarning: {
      enabled: patch.predictionWarning?.enabled ?? current.predictionWarning.enabled,
      customBoundaries:
        patch.predictionWarning?.customBoundaries === undefined
          ? current.predictionWarning.customBoundaries
          : patch.predictionWarning.customBoundaries,
    },
  };
}
