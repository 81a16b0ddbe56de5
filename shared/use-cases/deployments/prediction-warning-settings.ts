/**
 * A deployment's prediction-warning settings (DataRobot's `deployments/{id}/settings/` `predictionWarning`)
 * applied to its jobs: `enabled` is the default of jobs that leave predictionWarningEnabled null, and
 * `customBoundaries` replace the model package's outlier bounds.
 */
import type { JobRecord } from '../../domain/job.js';
import type { JobSpec } from '../../domain/job-spec.js';
import type { ScoringOptions } from '../../engine/scoring/scoring-options.js';
import type { Deps } from '../deps.js';

/**
 * The spec to store for a new job: a null predictionWarningEnabled takes the deployment's `enabled` when that is
 * on. Resolved once at creation because it decides the output columns, which every chunk and the header share.
 */
export async function withDeploymentWarningDefault(
  deps: Deps,
  deploymentId: string,
  spec: JobSpec,
): Promise<JobSpec> {
  if (spec.predictionWarningEnabled !== null) return spec;
  const settings = await deps.monitoring?.getSettings(deploymentId);
  return settings?.predictionWarning.enabled ? { ...spec, predictionWarningEnabled: true } : spec;
}

/**
 * A chunk's scoring options with the deployment's customBoundaries, when the job flags outliers. Bounds only
 * change cell values, never columns, so they are read when the chunk is scored.
 */
export async function withDeploymentWarnings(
  deps: Deps,
  job: JobRecord,
  scoring: ScoringOptions,
): Promise<ScoringOptions> {
  if (!scoring.predictionWarning?.enabled) return scoring;
  const bounds = (await deps.monitoring?.getSettings(job.deploymentId))?.predictionWarning.customBoundaries;
  return bounds ? { ...scoring, predictionWarning: { enabled: true, bounds } } : scoring;
}
