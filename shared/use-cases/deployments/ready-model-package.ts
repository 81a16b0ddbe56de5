import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { ModelPackageRecord } from '../../domain/model-package.js';
import type { Deps } from '../deps.js';

/** The caller's model package, which must be READY to be deployed; `field` names it in a ValidationError. */
export async function readyModelPackage(
  deps: Deps,
  ownerId: string,
  id: string,
  field: string,
): Promise<ModelPackageRecord & { summary: NonNullable<ModelPackageRecord['summary']> }> {
  const record = await deps.modelPackages.get(ownerId, id);
  if (!record) throw new NotFoundError('model package', id);
  const { summary } = record;
  if (record.status !== 'READY' || !summary) {
    throw new ValidationError([
      {
        field,
        message: `model package is not READY (it is ${record.status}): upload its ONNX file and finalize it first`,
      },
    ]);
  }
  return { ...record, summary };
}
