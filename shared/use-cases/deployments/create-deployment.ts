import type { DeploymentRecord } from '../../domain/deployment.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { type CreateDeploymentInput, CreateDeploymentSchema } from './deployment-requests.js';
import { readyModelPackage } from './ready-model-package.js';

/** Deploys one of the caller's READY model packages. */
export async function createDeployment(
  deps: Deps,
  ownerId: string,
  input: CreateDeploymentInput,
): Promise<DeploymentRecord> {
  const { modelPackageId, label, description } = parseRequest(CreateDeploymentSchema, input);
  await readyModelPackage(deps, ownerId, modelPackageId, 'modelPackageId');
  const now = deps.clock.now().toISOString();
  const record: DeploymentRecord = {
    id: deps.newId(),
    ownerId,
    label,
    description: description ?? null,
    modelPackageId,
    created: now,
    updated: now,
    version: 1,
  };
  await deps.deployments.create(record);
  return record;
}
