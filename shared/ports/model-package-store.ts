/** Durable model package records. Owner-scoped: another owner's package reads as missing. */
import type { ModelPackageRecord } from '../domain/model-package.js';

export interface Page {
  readonly offset: number;
  readonly limit: number;
}

export type ModelPackagePatch = Partial<
  Pick<ModelPackageRecord, 'status' | 'statusDetails' | 'sizeBytes' | 'summary' | 'explanationDataKey'>
>;

export interface ModelPackageStore {
  /** Stores a new package; the id must be new. */
  create(record: ModelPackageRecord): Promise<void>;
  /** The package, or null when it does not exist or belongs to another owner. */
  get(ownerId: string, id: string): Promise<ModelPackageRecord | null>;
  /** The package whoever owns it, for workers that already hold a job pinned to it. */
  getById(id: string): Promise<ModelPackageRecord | null>;
  /** The owner's packages, newest first. */
  list(ownerId: string, page: Page): Promise<{ items: ModelPackageRecord[]; totalCount: number }>;
  /** Applies `patch` and returns the result. Throws NotFoundError for a missing or foreign package. */
  update(ownerId: string, id: string, patch: ModelPackagePatch): Promise<ModelPackageRecord>;
  /** Removes the record (not its object). Throws NotFoundError for a missing or foreign package. */
  delete(ownerId: string, id: string): Promise<void>;
}
