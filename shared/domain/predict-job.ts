/**
 * Project jobs: predict jobs (`Model.request_predictions`) and training prediction jobs, as DataRobot's
 * modeling API shows them (seed 000, protocol predict-and-monitoring §0b, §1.4-1.7).
 *
 * Each one is a batch prediction job underneath (the same engine and workflow); this record maps the integer id
 * the client needs (`t.Int`: an ObjectId fails its schema) to that batch job, and names where the finished
 * result is kept for good (job data expires, results do not).
 */
import { z } from 'zod';
import { ConflictError } from './errors.js';
import type { JobStatus } from './job.js';
import { DataSubsetSchema } from './project.js';

const hexId = () => z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-character hexadecimal id');

export const ProjectJobKindSchema = z.enum(['predict', 'trainingPredictions']);
export type ProjectJobKind = z.infer<typeof ProjectJobKindSchema>;

export const ProjectJobRecordSchema = z.strictObject({
  /** The owner's job number, 1, 2, ...: the id clients see. */
  number: z.int().min(1),
  ownerId: z.string().min(1),
  projectId: z.string().min(1),
  modelId: z.string().min(1),
  kind: ProjectJobKindSchema,
  /** The batch prediction job doing the scoring. */
  batchJobId: z.string().min(1),
  /** The predictions (or training predictions) id the finished job leads to. */
  resultId: z.string().min(1),
  /** Predict jobs: the prediction dataset scored. */
  datasetId: z.string().nullable(),
  /** Training prediction jobs: the rows scored. */
  dataSubset: DataSubsetSchema.nullable(),
  /** Set when the user cancelled the job, so its end reads ABORTED rather than error. */
  cancelled: z.boolean(),
  /** Set once the batch job's output was copied to the result's own object. */
  resultStored: z.boolean(),
  created: z.iso.datetime(),
});
export type ProjectJobRecord = z.infer<typeof ProjectJobRecordSchema>;

/**
 * The claim a training predictions job holds on its (project, model, subset): DataRobot allows one such job
 * that did not fail. Claims are written with a conditional put, so of simultaneous requests exactly one wins.
 * When the claimed job failed, the next request claims the slot that `supersedes` it; claims thus form a chain
 * from `supersedes: 0`, one link per failed attempt.
 */
export const SubsetClaimSchema = z.strictObject({
  ownerId: z.string().min(1),
  projectId: z.string().min(1),
  modelId: z.string().min(1),
  dataSubset: DataSubsetSchema,
  /** The job number of the failed job this claim replaces; 0 for the first claim. */
  supersedes: z.int().min(0),
  /** The job (to be) started under this claim. */
  jobNumber: z.int().min(1),
  claimed: z.iso.datetime(),
});
export type SubsetClaim = z.infer<typeof SubsetClaimSchema>;

/** The job statuses DataRobot's client accepts, exactly (its Enum is case-sensitive). */
export type ProjectJobStatus = 'queue' | 'inprogress' | 'error' | 'ABORTED' | 'COMPLETED';

/**
 * A project job's status from its batch job's: COMPLETED only once the result is stored (until then the job is
 * still working); an abort the user asked for is ABORTED, any other an error.
 */
export function projectJobStatus(batch: JobStatus, job: ProjectJobRecord): ProjectJobStatus {
  switch (batch) {
    case 'INITIALIZING':
      return 'queue';
    case 'RUNNING':
      return 'inprogress';
    case 'COMPLETED':
      return job.resultStored ? 'COMPLETED' : 'inprogress';
    case 'ABORTED':
      return job.cancelled ? 'ABORTED' : 'error';
  }
}

/** Whether a job with this status will not change any more. */
export function isFinished(status: ProjectJobStatus): boolean {
  return status === 'COMPLETED' || status === 'error' || status === 'ABORTED';
}

/** `POST projects/{id}/predictions/` as the client sends it (None values already dropped). */
export const PredictRequestSchema = z.strictObject({
  modelId: hexId(),
  datasetId: hexId(),
  includePredictionIntervals: z.boolean().optional(),
  predictionIntervalsSize: z.int().min(1).max(100).optional(),
  forecastPoint: z.string().optional(),
  predictionsStartDate: z.string().optional(),
  predictionsEndDate: z.string().optional(),
  actualValueColumn: z.string().optional(),
  explanationAlgorithm: z.string().optional(),
  maxExplanations: z.int().min(0).optional(),
});
export type PredictRequest = z.infer<typeof PredictRequestSchema>;

/** `POST projects/{id}/trainingPredictions/`. */
export const TrainingPredictionsRequestSchema = z.strictObject({
  modelId: hexId(),
  dataSubset: DataSubsetSchema,
  explanationAlgorithm: z.string().optional(),
  maxExplanations: z.int().min(0).optional(),
});

/**
 * A second training predictions request for a model and subset that already has a job. DataRobot answers it 422
 * with `errorName: JobAlreadyAdded`, which the client raises as `JobAlreadyRequested`.
 */
export class JobAlreadyAddedError extends ConflictError {
  override name = 'JobAlreadyAddedError';
  readonly errorName = 'JobAlreadyAdded';
}
