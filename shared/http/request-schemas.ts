import { z } from 'zod';

/**
 * Bodies only the HTTP layer reads (DataRobot's forms of requests whose use cases take their own inputs); the
 * use cases' own request schemas live beside them.
 */
const id = z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-character hexadecimal id');

/** DataRobot's `fromLearningModel` body; `modelId` names a model package here. */
export const CreateDeploymentFromModelSchema = z.strictObject({
  modelId: id,
  label: z.string().min(1).max(512),
  description: z.string().max(10_000).nullish(),
  defaultPredictionServerId: z.string().nullish(),
});

/** `PATCH deployments/<id>/model/` as the DataRobot client sends it. */
export const ReplaceModelSchema = z.strictObject({
  modelId: id,
  reason: z
    .enum(['ACCURACY', 'DATA_DRIFT', 'ERRORS', 'SCHEDULED_REFRESH', 'SCORING_SPEED', 'OTHER'])
    .optional(),
});
