/**
 * Stored external data sources (`externalDataSources/`). Owner-scoped: another owner's data source reads as
 * missing.
 */
import type { DataSourceRecord } from '../domain/data-source.js';

/** Fields an update may change; `updated` is set by the caller, which owns the clock. */
export type DataSourcePatch = Partial<Pick<DataSourceRecord, 'canonicalName' | 'params' | 'updated'>>;

export interface DataSourceStore {
  /** Stores a new data source; the id must be new. */
  create(record: DataSourceRecord): Promise<void>;
  /** The owner's data source, or null (also when it is another owner's). */
  get(ownerId: string, id: string): Promise<DataSourceRecord | null>;
  /** The owner's data sources, oldest first. */
  list(ownerId: string): Promise<DataSourceRecord[]>;
  /** Applies `patch` (params replaced whole); null when the owner has no such data source. */
  update(ownerId: string, id: string, patch: DataSourcePatch): Promise<DataSourceRecord | null>;
  /** False when there is no such data source of this owner. */
  delete(ownerId: string, id: string): Promise<boolean>;
}
