import { DEPLOYMENT_ORDERS, type DeploymentRecord, isDeploymentOrder } from '../../domain/deployment.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { DeploymentQuery } from '../../ports/deployment-store.js';
import type { Deps } from '../deps.js';

/** One of the caller's deployments; NotFoundError for an unknown id or another owner's deployment. */
export async function getDeployment(deps: Deps, ownerId: string, id: string): Promise<DeploymentRecord> {
  const record = await deps.deployments.get(ownerId, id);
  if (!record) throw new NotFoundError('deployment', id);
  return record;
}

/**
 * The caller's deployments whose label contains `search` (ignoring case), ordered by `orderBy` (`label`,
 * `-label`, `createdAt`, `-createdAt`; newest first when absent).
 */
export async function listDeployments(
  deps: Deps,
  ownerId: string,
  query: DeploymentQuery,
): Promise<{ items: DeploymentRecord[]; totalCount: number }> {
  if (query.orderBy !== undefined && !isDeploymentOrder(query.orderBy)) {
    throw new ValidationError([
      {
        field: 'orderBy',
        message: `expected one of ${DEPLOYMENT_ORDERS.join(', ')}, received "${query.orderBy}"`,
      },
    ]);
  }
  return deps.deployments.list(ownerId, query);
}
