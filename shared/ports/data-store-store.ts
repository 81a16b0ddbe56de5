/** Stored external data stores (`externalDataStores/`). Owner-scoped: another owner's data store reads as missing. */
import type { DataStoreRecord } from '../domain/data-store.js';

/** Fields an update may change; `updated` is set by the caller, which owns the clock. */
export type DataStorePatch = Partial<
  Pick<DataStoreRecord, 'canonicalName' | 'driverId' | 'jdbcUrl' | 'updated'>
>;

export interface DataStoreStore {
  /** Stores a new data store; the id must be new. */
  create(record: DataStoreRecord): Promise<void>;
  /** The owner's data store, or null (also when it is another owner's). */
  get(ownerId: string, id: string): Promise<DataStoreRecord | null>;
  /** The owner's data stores, oldest first. */
  list(ownerId: string): Promise<DataStoreRecord[]>;
  /** Applies `patch` and returns the result; null when there is no such data store of this owner. */
  update(ownerId: string, id: string, patch: DataStorePatch): Promise<DataStoreRecord | null>;
  /** False when there is no such data store of this owner. */
  delete(ownerId: string, id: string): Promise<boolean>;
}
