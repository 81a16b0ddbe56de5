/**
 * Dataset catalog records: datasets and their immutable versions. Owner-scoped: another owner's dataset or
 * version reads as missing.
 */
import type { DatasetRecord, DatasetVersionRecord } from '../domain/dataset.js';

export type DatasetPatch = Partial<Pick<DatasetRecord, 'name' | 'categories'>>;

export interface DatasetStore {
  /** Stores a new dataset with its first version (`dataset.latestVersionId` is `version.id`); ids must be new. */
  create(dataset: DatasetRecord, version: DatasetVersionRecord): Promise<void>;
  /**
   * Stores a new version of the owner's dataset and makes it the latest; returns the updated dataset, or null
   * when the dataset does not exist or is another owner's (the version is then not stored).
   */
  addVersion(version: DatasetVersionRecord): Promise<DatasetRecord | null>;
  /** The owner's dataset, or null. */
  get(ownerId: string, datasetId: string): Promise<DatasetRecord | null>;
  /** The owner's datasets, newest first. */
  list(ownerId: string): Promise<DatasetRecord[]>;
  /** One version of the owner's dataset, or null. */
  getVersion(ownerId: string, datasetId: string, versionId: string): Promise<DatasetVersionRecord | null>;
  /** The versions of the owner's dataset, newest first (empty for a missing or foreign dataset). */
  listVersions(ownerId: string, datasetId: string): Promise<DatasetVersionRecord[]>;
  /** Renames or recategorizes the owner's dataset; null when there is no such dataset of this owner. */
  update(ownerId: string, datasetId: string, patch: DatasetPatch): Promise<DatasetRecord | null>;
  /** Removes the dataset and its version records (not their bytes); false when there is no such dataset. */
  delete(ownerId: string, datasetId: string): Promise<boolean>;
}
