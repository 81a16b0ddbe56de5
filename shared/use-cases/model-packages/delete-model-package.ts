import { ConflictError } from '../../domain/errors.js';
import { explanationDataKey, trainingDataKey } from '../../domain/model-package.js';
import { activeJobs } from '../deployments/active-jobs.js';
import type { Deps } from '../deps.js';
import { projectsUsing } from '../projects/projects.js';
import { getModelPackage } from './query-model-packages.js';

/**
 * Deletes one of the caller's model packages, its ONNX file and its explanation and training data. Refused (ConflictError) while a deployment
 * points at it, a project has it as a model, or a queued or running job is pinned to it, since those would lose
 * their model.
 */
export async function deleteModelPackage(deps: Deps, ownerId: string, id: string): Promise<void> {
  const record = await getModelPackage(deps, ownerId, id);
  const deployments = await deps.deployments.countUsing(ownerId, id);
  if (deployments > 0) {
    throw new ConflictError(
      `model package ${id} is used by ${deployments} deployment(s): replace their model or delete them first`,
    );
  }
  const projects = await projectsUsing(deps, ownerId, id);
  if (projects.length > 0) {
    throw new ConflictError(
      `model package ${id} is a model of project(s) ${projects.map((p) => p.id).join(', ')}: delete them first`,
    );
  }
  const pinned = (await activeJobs(deps, ownerId)).filter((job) => job.modelVersionId === id).length;
  if (pinned > 0) {
    throw new ConflictError(
      `model package ${id} is pinned by ${pinned} queued or running job(s): wait for them or abort them first`,
    );
  }
  // Record first: a failure in between leaves an unreachable object, never a package without its file.
  await deps.modelPackages.delete(ownerId, id);
  await deps.objects.delete(record.objectKey);
  await Promise.all([deps.objects.delete(explanationDataKey(id)), deps.objects.delete(trainingDataKey(id))]);
}
