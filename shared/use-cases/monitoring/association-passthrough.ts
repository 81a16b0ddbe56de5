/**
 * The deployment's association ID column in a job's output. Actuals are joined to predictions by that column, so a
 * deployment that requires it passes it through to every job's output as DataRobot does, without each job having
 * to list it in `passthroughColumns`.
 */
import type { JobSpec } from '../../domain/job-spec.js';
import type { Deps } from '../deps.js';

/**
 * The spec to store for a new job: when the deployment requires an association ID column in prediction requests,
 * that column is added to `passthroughColumns` (unless all columns pass through or it is listed already). Resolved
 * at creation because it decides the output columns, which every chunk and the header share.
 */
export async function withAssociationIdPassthrough(
  deps: Deps,
  deploymentId: string,
  spec: JobSpec,
): Promise<JobSpec> {
  if (spec.passthroughColumnsSet === 'all') return spec;
  const association = (await deps.monitoring?.getSettings(deploymentId))?.associationId;
  const column = association?.requiredInPredictionRequests ? association.columnNames[0] : undefined;
  if (column === undefined || spec.passthroughColumns?.includes(column)) return spec;
  return { ...spec, passthroughColumns: [...(spec.passthroughColumns ?? []), column] };
}
