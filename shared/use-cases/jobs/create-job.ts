import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { initialJobRecord, type JobRecord } from '../../domain/job.js';
import { assertSupported, type JobSpec, parseJobSpec } from '../../domain/job-spec.js';
import { scoringOptionsOf } from '../../engine/scoring/job-scoring-options.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';

const ID_PATTERN = /^[0-9a-f]{24}$/;

/** Intake and output types this build can run; others are valid DataRobot specs answered "not supported yet". */
export const SUPPORTED_ADAPTERS = { intake: ['localFile'], output: ['localFile'] } as const;

/**
 * Creates a batch prediction job from a DataRobot job spec: validates it, checks the deployment is the caller's,
 * and pins the deployment's current model version so a later model replacement never changes this job.
 */
export async function createJob(deps: Deps, ownerId: string, body: unknown): Promise<JobRecord> {
  const spec = parseJobSpec(body);
  return createJobFromSpec(deps, ownerId, spec);
}

/** As createJob, for a spec that is already normalized (fromExisting, job definitions). */
export async function createJobFromSpec(deps: Deps, ownerId: string, spec: JobSpec): Promise<JobRecord> {
  assertSupported(spec, SUPPORTED_ADAPTERS);
  scoringOptionsOf(spec);
  if (!spec.deploymentId) {
    throw new ValidationError([
      { field: 'deploymentId', message: 'required: scoring by modelId is not supported' },
    ]);
  }
  const deployment = ID_PATTERN.test(spec.deploymentId)
    ? await deps.deployments.get(ownerId, spec.deploymentId)
    : null;
  if (!deployment) throw new NotFoundError('deployment', spec.deploymentId.slice(0, 64));
  const job = initialJobRecord({
    id: deps.newId(),
    ownerId,
    deploymentId: deployment.id,
    modelVersionId: deployment.modelPackageId,
    spec,
    created: deps.clock.now().toISOString(),
  });
  await deps.jobs.create(job);
  return job;
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
