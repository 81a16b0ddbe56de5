import type { DeploymentRecord } from '../../domain/deployment.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { type UpdateDeploymentInput, UpdateDeploymentSchema } from './deployment-requests.js';

/** Changes the label and/or description of one of the caller's deployments. */
export async function updateDeployment(
  deps: Deps,
  ownerId: string,
  id: string,
  input: UpdateDeploymentInput,
): Promise<DeploymentRecord> {
  const { label, description } = parseRequest(UpdateDeploymentSchema, input);
  return deps.deployments.update(ownerId, id, {
    label,
    description,
    updated: deps.clock.now().toISOString(),
  });
}
