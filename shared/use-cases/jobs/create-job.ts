import { z } from 'zod';
import type { DeploymentRecord } from '../../domain/deployment.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { initialJobRecord, type JobRecord } from '../../domain/job.js';
import { assertSupported, type JobSpec, parseJobSpec } from '../../domain/job-spec.js';
import { checkPackageExplanations } from '../../engine/explain/explanation-options.js';
import { scoringOptionsOf } from '../../engine/scoring/job-scoring-options.js';
import { withDeploymentWarningDefault } from '../deployments/prediction-warning-settings.js';
import type { Deps } from '../deps.js';
import { hasExplanationBackground } from '../model-packages/explanation-data.js';
import { withAssociationIdPassthrough } from '../monitoring/association-passthrough.js';
import { parseRequest } from '../parse-request.js';
import { dispatchQueued } from './dispatch.js';
import { checkDataSources } from './intake/check-data-sources.js';

const ID_PATTERN = /^[0-9a-f]{24}$/;

/** Intake and output types this build can run; others are valid DataRobot specs answered "not supported yet". */
export const SUPPORTED_ADAPTERS = {
  intake: ['localFile', 'dataset', 's3', 'jdbc'],
  output: ['localFile', 's3', 'jdbc'],
} as const;

/**
 * Creates a batch prediction job from a DataRobot job spec: validates it, checks the deployment is the caller's,
 * and pins the deployment's current model version so a later model replacement never changes this job.
 */
export async function createJob(deps: Deps, ownerId: string, body: unknown): Promise<JobRecord> {
  const spec = parseJobSpec(body);
  return createJobFromSpec(deps, ownerId, spec);
}

/** What a caller other than `POST batchPredictions/` fixes about a new job. */
export interface NewJobOptions {
  /** The job's id instead of a new one: job definitions derive it from the run, so a repeated run is refused. */
  readonly id?: string;
  /** The definition the job is a run of. */
  readonly jobDefinition?: JobRecord['jobDefinition'];
}

/**
 * As createJob, for a spec that is already normalized (fromExisting, job definitions). With `options.id` taken,
 * the job store's JobAlreadyExistsError propagates.
 */
export async function createJobFromSpec(
  deps: Deps,
  ownerId: string,
  spec: JobSpec,
  options: NewJobOptions = {},
): Promise<JobRecord> {
  const deployment = await checkJobSpec(deps, ownerId, spec);
  const job = initialJobRecord({
    id: options.id ?? deps.newId(),
    ...(options.jobDefinition ? { jobDefinition: options.jobDefinition } : {}),
    ownerId,
    deploymentId: deployment.id,
    modelVersionId: deployment.modelPackageId,
    spec: await withAssociationIdPassthrough(
      deps,
      deployment.id,
      await withDeploymentWarningDefault(deps, deployment.id, spec),
    ),
    created: deps.clock.now().toISOString(),
  });
  await deps.jobs.create(job);
  if (spec.intakeSettings.type !== 'localFile') {
    // No upload will complete this job's input: prepare reads it, so the job queues for a slot right away.
    await deps.jobs.enqueue(job);
    await dispatchQueued(deps, job.deploymentId);
  }
  return job;
}

/**
 * The checks a spec passes before a job (or a job definition) is stored: adapters this build runs, scoring
 * options, and a deployment, credentials and data sources that are the caller's. Returns the deployment.
 */
export async function checkJobSpec(deps: Deps, ownerId: string, spec: JobSpec): Promise<DeploymentRecord> {
  assertSupported(spec, SUPPORTED_ADAPTERS);
  scoringOptionsOf(spec);
  if (!spec.deploymentId) {
    throw new ValidationError([
      { field: 'deploymentId', message: 'required: scoring by modelId is not supported' },
    ]);
  }
  await checkDataSources(deps, ownerId, spec);
  const deployment = ID_PATTERN.test(spec.deploymentId)
    ? await deps.deployments.get(ownerId, spec.deploymentId)
    : null;
  if (!deployment) throw new NotFoundError('deployment', spec.deploymentId.slice(0, 64));
  // Explanations the pinned model cannot give are a 4xx now rather than an ABORTED job later.
  const modelPackage = await deps.modelPackages.getById(deployment.modelPackageId);
  if (modelPackage) {
    checkPackageExplanations(
      modelPackage.summary,
      hasExplanationBackground(modelPackage),
      scoringOptionsOf(spec).explanations,
    );
  }
  return deployment;
}

/** `POST batchPredictions/fromExisting/`: the job whose spec to copy. */
export const FromExistingSchema = z.strictObject({
  predictionJobId: z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-character hexadecimal job id'),
});

/** A new job with the same spec as one of the caller's jobs (DataRobot's `fromExisting`). */
export async function createJobFromExisting(deps: Deps, ownerId: string, body: unknown): Promise<JobRecord> {
  const { predictionJobId: id } = parseRequest(FromExistingSchema, body);
  const existing = await deps.jobs.get(ownerId, id);
  if (!existing) throw new NotFoundError('batch prediction job', id);
  return createJobFromSpec(deps, ownerId, existing.spec as JobSpec);
}
