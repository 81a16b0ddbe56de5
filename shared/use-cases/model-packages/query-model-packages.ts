import { NotFoundError } from '../../domain/errors.js';
import type { ModelPackageRecord } from '../../domain/model-package.js';
import type { Page } from '../../ports/model-package-store.js';
import type { Deps } from '../deps.js';

/** One of the caller's model packages; NotFoundError for an unknown id or another owner's package. */
export async function getModelPackage(deps: Deps, ownerId: string, id: string): Promise<ModelPackageRecord> {
  const record = await deps.modelPackages.get(ownerId, id);
  if (!record) throw new NotFoundError('model package', id);
  return record;
}

/** The caller's model packages, newest first. */
export async function listModelPackages(
  deps: Deps,
  ownerId: string,
  page: Page,
): Promise<{ items: ModelPackageRecord[]; totalCount: number }> {
  return deps.modelPackages.list(ownerId, page);
}
