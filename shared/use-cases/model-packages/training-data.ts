/**
 * The training CSV of a model package (`modelPackages/{id}/trainingData/`): uploaded before finalize, sampled
 * at finalize into the explanation background and per-column statistics (explanation-data.ts).
 */
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { trainingDataKey } from '../../domain/model-package.js';
import type { Deps } from '../deps.js';
import { type ExplanationData, readExplanationData } from './explanation-data.js';
import { getModelPackage } from './query-model-packages.js';
import { MODEL_UPLOAD_URL_SECONDS } from './start-model-upload.js';

/**
 * Where to PUT the training CSV of one of the caller's packages. ConflictError once the package is READY: its
 * background is pinned with the model version, so a new background needs a new model package.
 */
export async function startTrainingDataUpload(deps: Deps, ownerId: string, id: string): Promise<string> {
  const record = await getModelPackage(deps, ownerId, id);
  if (record.status === 'READY') {
    throw new ConflictError(
      `model package ${id} is READY: its explanation background is pinned with the model version; register a new model package to use other training data`,
    );
  }
  return deps.objects.presignPut(trainingDataKey(id), MODEL_UPLOAD_URL_SECONDS);
}

/** What explanations compare with, as stored for the package. NotFoundError when it has no background. */
export async function getTrainingDataSummary(
  deps: Deps,
  ownerId: string,
  id: string,
): Promise<Omit<ExplanationData, 'background'> & { backgroundRows: number }> {
  const data = await readExplanationData(deps, await getModelPackage(deps, ownerId, id));
  if (!data) {
    throw new NotFoundError(
      'explanation data',
      id,
      `model package ${id} has no explanation background: give manifest explanations.background or upload training data before finalize`,
    );
  }
  const { background, ...rest } = data;
  return { ...rest, backgroundRows: background.length };
}
