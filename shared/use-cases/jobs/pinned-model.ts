/** The model version a job was pinned to at creation, loaded from its package through the process's cache. */
import { ModelError } from '../../domain/errors.js';
import { type LoadedModel, type LoadModelOptions, loadModel } from '../../engine/model/load-model.js';
import type { Deps } from '../deps.js';
import { packageManifest } from '../model-packages/explanation-data.js';
import type { ModelCache } from './model-cache.js';
import { readObject } from './object-bytes.js';

/** Reads a READY model package's ONNX bytes and manifest and loads them. Throws ModelError otherwise. */
export async function loadModelPackage(
  deps: Deps,
  packageId: string,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const record = await deps.modelPackages.getById(packageId);
  if (!record) throw new ModelError(`the job's model package ${packageId} no longer exists`);
  if (record.status !== 'READY') {
    throw new ModelError(`the job's model package ${packageId} is ${record.status}, not READY`);
  }
  return loadModel(
    await readObject(deps.objects, record.objectKey),
    await packageManifest(deps, record),
    options,
  );
}

/**
 * Runs `use` with the job's pinned model (cached per package id, so a replaced deployment model never leaks in),
 * loaded as the cache says.
 */
export function withPinnedModel<T>(
  deps: Deps,
  models: ModelCache,
  packageId: string,
  use: (model: LoadedModel) => Promise<T>,
): Promise<T> {
  return models.use(packageId, () => loadModelPackage(deps, packageId, models.loadOptions), use);
}
