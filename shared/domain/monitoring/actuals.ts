/** Actuals as DataRobot's `deployments/{id}/actuals/fromJSON/` takes them (what `submit_actuals` sends). */
import { z } from 'zod';

/** DataRobot's limit on rows per request. */
export const MAX_ACTUALS_PER_REQUEST = 10_000;

/** `wasActedOn` and `timestamp` are accepted as DataRobot takes them and not used: accuracy is bucketed by prediction time. */
export const ActualSchema = z.strictObject({
  associationId: z.string().min(1).max(128),
  actualValue: z.union([z.string().min(1), z.number()]),
  wasActedOn: z.boolean().optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
});
export type Actual = z.infer<typeof ActualSchema>;

export const SubmitActualsSchema = z.strictObject({
  data: z.array(ActualSchema).min(1).max(MAX_ACTUALS_PER_REQUEST),
});
export type SubmitActuals = z.infer<typeof SubmitActualsSchema>;
