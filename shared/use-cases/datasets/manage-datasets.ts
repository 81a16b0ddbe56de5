/**
 * The dataset catalog's use cases: create a dataset or a new version from an uploaded file or an object-storage
 * URL, read, list, rename and delete. A version's bytes are written once under its own key and inspected before
 * the version is recorded, so every recorded version is complete, readable and never changes.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import {
  type DatasetRecord,
  type DatasetVersionRecord,
  datasetPrefix,
  datasetVersionKey,
} from '../../domain/dataset.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { inspectDataset } from './inspect-dataset.js';

/** A dataset with the version a response describes (its latest, unless a version was asked for). */
export interface DatasetView {
  readonly dataset: DatasetRecord;
  readonly version: DatasetVersionRecord;
}

/** Where a new version's bytes come from: an uploaded file, or an object read from a URL. */
export interface VersionSource {
  /** The file's name (an upload's filename, a URL's last segment); a new dataset is named after it. */
  readonly fileName: string;
  /** `file` for an upload, else the URL. */
  readonly origin: string;
  readonly body: Buffer | Readable;
}

const HEX_ID = /^[0-9a-f]{24}$/;

/** `PATCH datasets/{id}/`: what may change. */
export const DatasetPatchSchema = z.strictObject({
  name: z.string().min(1).max(255).optional(),
  categories: z.array(z.string().min(1).max(100)).max(100).optional(),
});

/** Creates a dataset whose first version is `source`. Throws ValidationError when the bytes are unreadable. */
export async function createDataset(
  deps: Deps,
  ownerId: string,
  source: VersionSource,
  categories: readonly string[] = [],
): Promise<DatasetView> {
  const datasetId = deps.newId();
  const version = await storeVersion(deps, ownerId, datasetId, source);
  const dataset: DatasetRecord = {
    id: datasetId,
    ownerId,
    name: source.fileName,
    categories: [...categories],
    latestVersionId: version.id,
    created: version.created,
  };
  try {
    await deps.datasets.create(dataset, version);
  } catch (error) {
    await deps.objects.deletePrefix(datasetPrefix(datasetId));
    throw error;
  }
  return { dataset, version };
}

/** Adds `source` as the new latest version of the owner's dataset. Throws NotFoundError for a missing dataset. */
export async function addDatasetVersion(
  deps: Deps,
  ownerId: string,
  datasetId: string,
  source: VersionSource,
): Promise<DatasetView> {
  await getDataset(deps, ownerId, datasetId);
  const version = await storeVersion(deps, ownerId, datasetId, source);
  const dataset = await deps.datasets.addVersion(version);
  if (!dataset) {
    await deps.objects.deletePrefix(`${datasetPrefix(datasetId)}${version.id}/`);
    throw new NotFoundError('dataset', datasetId);
  }
  return { dataset, version };
}

/** The owner's dataset with its latest version. Throws NotFoundError (also for another owner's dataset). */
export async function getDataset(deps: Deps, ownerId: string, datasetId: string): Promise<DatasetView> {
  const dataset = HEX_ID.test(datasetId) ? await deps.datasets.get(ownerId, datasetId) : null;
  const version = dataset && (await deps.datasets.getVersion(ownerId, dataset.id, dataset.latestVersionId));
  if (!dataset || !version) throw new NotFoundError('dataset', datasetId.slice(0, 64));
  return { dataset, version };
}

/** One version of the owner's dataset. Throws NotFoundError. */
export async function getDatasetVersion(
  deps: Deps,
  ownerId: string,
  datasetId: string,
  versionId: string,
): Promise<DatasetView> {
  const { dataset } = await getDataset(deps, ownerId, datasetId);
  const version = HEX_ID.test(versionId)
    ? await deps.datasets.getVersion(ownerId, datasetId, versionId)
    : null;
  if (!version) throw new NotFoundError('dataset version', versionId.slice(0, 64));
  return { dataset, version };
}

/** The owner's datasets, newest first, each with its latest version. */
export async function listDatasets(deps: Deps, ownerId: string): Promise<DatasetView[]> {
  const datasets = await deps.datasets.list(ownerId);
  const views = await Promise.all(
    datasets.map(async (dataset) => {
      const version = await deps.datasets.getVersion(ownerId, dataset.id, dataset.latestVersionId);
      return version && { dataset, version };
    }),
  );
  return views.filter((view): view is DatasetView => view !== null);
}

/** The versions of the owner's dataset, newest first. Throws NotFoundError. */
export async function listDatasetVersions(
  deps: Deps,
  ownerId: string,
  datasetId: string,
): Promise<DatasetView[]> {
  const { dataset } = await getDataset(deps, ownerId, datasetId);
  const versions = await deps.datasets.listVersions(ownerId, datasetId);
  return versions.map((version) => ({ dataset, version }));
}

/** Renames or recategorizes the owner's dataset. Throws ValidationError, NotFoundError. */
export async function updateDataset(
  deps: Deps,
  ownerId: string,
  datasetId: string,
  body: unknown,
): Promise<DatasetView> {
  const patch = parseRequest(DatasetPatchSchema, body);
  await getDataset(deps, ownerId, datasetId);
  const dataset = await deps.datasets.update(ownerId, datasetId, patch);
  if (!dataset) throw new NotFoundError('dataset', datasetId);
  return getDataset(deps, ownerId, dataset.id);
}

/**
 * Deletes the owner's dataset: its records, then its bytes. A job already reading it keeps its own copy of the
 * input; a job that has not started yet ends ABORTED saying the dataset is gone.
 */
export async function deleteDataset(deps: Deps, ownerId: string, datasetId: string): Promise<void> {
  if (!HEX_ID.test(datasetId) || !(await deps.datasets.delete(ownerId, datasetId))) {
    throw new NotFoundError('dataset', datasetId.slice(0, 64));
  }
  await deps.objects.deletePrefix(datasetPrefix(datasetId));
}

/** Writes the bytes under a new version's key, inspects them, and returns the version (not yet recorded). */
async function storeVersion(
  deps: Deps,
  ownerId: string,
  datasetId: string,
  source: VersionSource,
): Promise<DatasetVersionRecord> {
  const id = deps.newId();
  const objectKey = datasetVersionKey(datasetId, id);
  await deps.objects.put(objectKey, source.body);
  try {
    const sizeBytes = (await deps.objects.head(objectKey))?.size ?? 0;
    const field = source.origin === 'file' ? 'file' : 'url';
    const shape = await inspectDataset(deps.objects, objectKey, sizeBytes, field);
    return {
      id,
      datasetId,
      ownerId,
      fileName: source.fileName,
      format: shape.format,
      objectKey,
      sizeBytes,
      rowCount: shape.rowCount,
      columnCount: shape.columnCount,
      source: source.origin,
      created: deps.clock.now().toISOString(),
    };
  } catch (error) {
    await deps.objects.delete(objectKey);
    throw error;
  }
}
