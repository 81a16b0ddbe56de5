import type { DeploymentRecord } from '../../domain/deployment.js';
import { ValidationError } from '../../domain/errors.js';
import type { ModelSummary } from '../../domain/model-package.js';
import type { Deps } from '../deps.js';
import { getDeployment } from './query-deployments.js';
import { readyModelPackage } from './ready-model-package.js';

/** The request field that names the new model, as DataRobot's model replacement calls it. */
const MODEL_FIELD = 'modelId';

/**
 * Points one of the caller's deployments at another READY model package that predicts the same kind of
 * target (same target type, same class labels in the same order), so its output columns keep their meaning.
 * Jobs pinned their model package when they were created, so queued and running jobs are unaffected.
 */
export async function replaceDeploymentModel(
  deps: Deps,
  ownerId: string,
  id: string,
  modelPackageId: string,
): Promise<DeploymentRecord> {
  const deployment = await getDeployment(deps, ownerId, id);
  const replacement = await readyModelPackage(deps, ownerId, modelPackageId, MODEL_FIELD);
  const current = await deps.modelPackages.getById(deployment.modelPackageId);
  if (current?.summary && !samePrediction(current.summary, replacement.summary)) {
    throw new ValidationError([
      {
        field: MODEL_FIELD,
        message: `model package ${modelPackageId} predicts ${describe(replacement.summary)}, but the deployment's current model ${current.id} predicts ${describe(current.summary)}; a replacement must have the same target type and class labels`,
      },
    ]);
  }
  return deps.deployments.update(ownerId, id, {
    modelPackageId,
    updated: deps.clock.now().toISOString(),
  });
}

function samePrediction(a: ModelSummary, b: ModelSummary): boolean {
  return (
    a.targetType === b.targetType &&
    a.classLabels.length === b.classLabels.length &&
    a.classLabels.every((label, i) => label === b.classLabels[i])
  );
}

function describe(summary: ModelSummary): string {
  const labels = summary.classLabels.map((label) => JSON.stringify(label)).join(', ');
  return summary.targetType === 'Regression' ? 'Regression' : `${summary.targetType} [${labels}]`;
}
