/**
 * Durable projects, their prediction datasets and their jobs (predict and training predictions). Owner-scoped:
 * another owner's record reads as missing.
 */
import type { ProjectJobRecord, SubsetClaim } from '../domain/predict-job.js';
import type { PredictionDatasetRecord } from '../domain/prediction-dataset.js';
import type { ProjectRecord } from '../domain/project.js';

export type ProjectPatch = Partial<Pick<ProjectRecord, 'modelIds' | 'trainingData'>>;
export type ProjectJobPatch = Partial<Pick<ProjectJobRecord, 'cancelled' | 'resultStored'>>;

export interface ProjectStore {
  /** Stores a new project; the id must be new. */
  create(record: ProjectRecord): Promise<void>;
  /** The project, or null when it does not exist or belongs to another owner. */
  get(ownerId: string, id: string): Promise<ProjectRecord | null>;
  /** The owner's projects, newest first. */
  list(ownerId: string): Promise<ProjectRecord[]>;
  /** Applies `patch`; throws NotFoundError for a missing or foreign project. */
  update(ownerId: string, id: string, patch: ProjectPatch): Promise<ProjectRecord>;
  /** Removes the record; throws NotFoundError for a missing or foreign project. */
  delete(ownerId: string, id: string): Promise<void>;

  /** Stores a new prediction dataset; the id must be new. */
  createDataset(record: PredictionDatasetRecord): Promise<void>;
  /** The dataset of this project, or null. */
  getDataset(ownerId: string, projectId: string, id: string): Promise<PredictionDatasetRecord | null>;
  /** The project's datasets, oldest first. */
  listDatasets(ownerId: string, projectId: string): Promise<PredictionDatasetRecord[]>;
  /** Removes the record; throws NotFoundError for a missing or foreign dataset. */
  deleteDataset(ownerId: string, id: string): Promise<void>;

  /**
   * The owner's next job number (1, 2, ...), taken with one atomic increment, so concurrent requests never get
   * the same number.
   */
  nextJobNumber(ownerId: string): Promise<number>;
  /** Stores a new project job; its number must be new. */
  createJob(record: ProjectJobRecord): Promise<void>;
  /** The owner's job with this number in this project, or null. */
  getJob(ownerId: string, projectId: string, number: number): Promise<ProjectJobRecord | null>;
  /** The project's jobs, oldest first. */
  listJobs(ownerId: string, projectId: string): Promise<ProjectJobRecord[]>;
  /** Applies `patch`; throws NotFoundError for a missing or foreign job. */
  updateJob(ownerId: string, number: number, patch: ProjectJobPatch): Promise<ProjectJobRecord>;

  /**
   * Writes the claim unless one with the same project, model, subset and `supersedes` exists: one conditional
   * write, so of concurrent callers exactly one gets true.
   */
  claimSubset(claim: SubsetClaim): Promise<boolean>;
  /** The claim of (project, model, subset) that supersedes job `supersedes` (0: the first claim), or null. */
  getSubsetClaim(
    ownerId: string,
    projectId: string,
    modelId: string,
    dataSubset: SubsetClaim['dataSubset'],
    supersedes: number,
  ): Promise<SubsetClaim | null>;
  /** Removes the claim (its job was never started); a missing claim is not an error. */
  releaseSubsetClaim(claim: SubsetClaim): Promise<void>;
}
