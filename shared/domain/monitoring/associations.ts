/** One chunk's predictions keyed by association id, and the actuals joined to them so far. */
import { z } from 'zod';

export const AssociatedPredictionsSchema = z.strictObject({
  modelId: z.string().min(1),
  /** The hour the chunk was scored: accuracy is bucketed by prediction time, as DataRobot does. */
  hour: z.iso.datetime(),
  /** Regression value, or class probabilities in the model's class-label order. */
  predictions: z.record(z.string(), z.union([z.number(), z.array(z.number())])),
  actuals: z.record(z.string(), z.union([z.number(), z.string()])),
});
export type AssociatedPredictions = z.infer<typeof AssociatedPredictionsSchema>;
