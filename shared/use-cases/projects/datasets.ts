/**
 * Files uploaded to a project: its training dataset (Batchline's extension) and its prediction datasets
 * (`Project.upload_dataset`). Both are kept as uploaded and read whole, so they are bounded: by the API's body
 * limit for form uploads, by {@link MAX_URL_UPLOAD_BYTES} for URL uploads.
 */
import { NotFoundError, NotSupportedError, ValidationError } from '../../domain/errors.js';
import {
  type PredictionDatasetRecord,
  type UploadOptions,
  UploadOptionsSchema,
  UrlUploadSchema,
} from '../../domain/prediction-dataset.js';
import type { ProjectRecord } from '../../domain/project.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { type CsvTable, CsvTableError, readCsvTable } from './csv-table.js';
import { predictionDatasetKey, trainingDataKey } from './project-keys.js';
import { getProject } from './projects.js';

/** A file as a form upload carries it. */
export interface UploadedFile {
  readonly fileName: string;
  readonly bytes: Buffer;
}

/** The file's table; a ValidationError on `file` when it is not CSV with a header and at least one data row. */
function readUploadedTable(file: UploadedFile): CsvTable {
  let table: CsvTable;
  try {
    table = readCsvTable(file.bytes);
  } catch (error) {
    if (!(error instanceof CsvTableError)) throw error;
    throw new ValidationError([
      { field: 'file', message: `${file.fileName} is not valid CSV: ${error.message}` },
    ]);
  }
  if (table.rows.length === 0) {
    throw new ValidationError([
      { field: 'file', message: `${file.fileName} has a header row but no data rows` },
    ]);
  }
  return table;
}

/**
 * Sets (or replaces) the project's training dataset. `partitionColumn`, when given, must be one of its columns;
 * without it the default partition rule applies (see shared/domain/project.ts).
 */
export async function uploadTrainingData(
  deps: Deps,
  ownerId: string,
  projectId: string,
  file: UploadedFile,
  partitionColumn: string | null,
): Promise<ProjectRecord> {
  const project = await getProject(deps, ownerId, projectId);
  const table = readUploadedTable(file);
  if (partitionColumn !== null && !table.header.includes(partitionColumn)) {
    throw new ValidationError([
      {
        field: 'partitionColumn',
        message: `"${partitionColumn}" is not a column of ${file.fileName}; its columns are ${table.header.join(', ')}`,
      },
    ]);
  }
  const objectKey = trainingDataKey(project.id);
  await deps.objects.put(objectKey, file.bytes, { contentType: 'text/csv' });
  return deps.projects.update(ownerId, project.id, {
    trainingData: {
      fileName: file.fileName,
      objectKey,
      numRows: table.rows.length,
      columns: table.header,
      partitionColumn,
      uploaded: deps.clock.now().toISOString(),
    },
  });
}

/**
 * Stores a prediction dataset for the project. `options` are the form's other parts; time series options and
 * secondary datasets are refused (these projects hold no time series models), `actualValueColumn` must name a
 * column of the file.
 */
export async function uploadPredictionDataset(
  deps: Deps,
  ownerId: string,
  projectId: string,
  file: UploadedFile,
  options: unknown,
): Promise<PredictionDatasetRecord> {
  const project = await getProject(deps, ownerId, projectId);
  return storePredictionDataset(deps, project, file, parseRequest(UploadOptionsSchema, options));
}

/** Largest object a URL upload reads: the dataset is read whole, like an uploaded file. */
export const MAX_URL_UPLOAD_BYTES = 100 * 1024 * 1024;

/**
 * Stores a prediction dataset read from `s3://<bucket>/<key>` (`urlUploads/`), with the stack's own access to
 * S3; other URL schemes are not supported yet. Unreadable objects are DataSourceErrors naming the location.
 */
export async function uploadPredictionDatasetFromUrl(
  deps: Deps,
  ownerId: string,
  projectId: string,
  body: unknown,
): Promise<PredictionDatasetRecord> {
  const { url, ...options } = parseRequest(UrlUploadSchema, body);
  const project = await getProject(deps, ownerId, projectId);
  const location = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!location) {
    throw new NotSupportedError(
      'url',
      'URLs other than s3://<bucket>/<key> are not supported yet; upload other files with fileUploads',
    );
  }
  const [, bucketName, key] = location as unknown as [string, string, string];
  const bucket = deps.externalS3.open(bucketName, {});
  try {
    const size = await bucket.size(key);
    if (size > MAX_URL_UPLOAD_BYTES) {
      throw new ValidationError([
        {
          field: 'url',
          message: `${url} has ${size} bytes; at most ${MAX_URL_UPLOAD_BYTES} can be uploaded`,
        },
      ]);
    }
    const pieces: Buffer[] = [];
    for await (const piece of await bucket.read(key)) pieces.push(Buffer.from(piece));
    const file = { fileName: key.split('/').at(-1) || key, bytes: Buffer.concat(pieces) };
    return await storePredictionDataset(deps, project, file, options);
  } finally {
    bucket.close();
  }
}

/**
 * Stores `file` as a prediction dataset of the project after checking `options` against it (time series options
 * refused, `actualValueColumn` one of its columns).
 */
export async function storePredictionDataset(
  deps: Deps,
  project: ProjectRecord,
  file: UploadedFile,
  options: UploadOptions,
): Promise<PredictionDatasetRecord> {
  const { actualValueColumn } = checkedOptions(options);
  const table = readUploadedTable(file);
  if (actualValueColumn !== undefined && !table.header.includes(actualValueColumn)) {
    throw new ValidationError([
      { field: 'actualValueColumn', message: `"${actualValueColumn}" is not a column of ${file.fileName}` },
    ]);
  }
  const id = deps.newId();
  const objectKey = predictionDatasetKey(project.id, id);
  await deps.objects.put(objectKey, file.bytes, { contentType: 'text/csv' });
  const record: PredictionDatasetRecord = {
    id,
    ownerId: project.ownerId,
    projectId: project.id,
    name: file.fileName,
    objectKey,
    sizeBytes: file.bytes.length,
    numRows: table.rows.length,
    columns: table.header,
    actualValueColumn: actualValueColumn ?? null,
    created: deps.clock.now().toISOString(),
  };
  await deps.projects.createDataset(record);
  return record;
}

const TIME_SERIES_OPTIONS = ['forecastPoint', 'predictionsStartDate', 'predictionsEndDate'] as const;

/**
 * The options, unless they ask for what these projects cannot do: time series options and secondary datasets
 * are NotSupportedErrors naming the field.
 */
export function checkedOptions(options: UploadOptions): UploadOptions {
  for (const field of TIME_SERIES_OPTIONS) {
    if (options[field] !== undefined) {
      throw new NotSupportedError(
        field,
        `${field} applies to time series projects, which are not supported yet`,
      );
    }
  }
  if (options.secondaryDatasetsConfigId !== undefined) {
    throw new NotSupportedError('secondaryDatasetsConfigId', 'secondary datasets are not supported yet');
  }
  return options;
}

/** The project's prediction dataset; NotFoundError otherwise. */
export async function getPredictionDataset(
  deps: Deps,
  ownerId: string,
  projectId: string,
  datasetId: string,
): Promise<PredictionDatasetRecord> {
  const project = await getProject(deps, ownerId, projectId);
  const dataset = await deps.projects.getDataset(ownerId, project.id, datasetId);
  if (!dataset) throw new NotFoundError('prediction dataset', datasetId);
  return dataset;
}

/** The project's prediction datasets, oldest first. */
export async function listPredictionDatasets(
  deps: Deps,
  ownerId: string,
  projectId: string,
): Promise<PredictionDatasetRecord[]> {
  const project = await getProject(deps, ownerId, projectId);
  return deps.projects.listDatasets(ownerId, project.id);
}

/** Deletes a prediction dataset and its file (predictions already made from it stay). */
export async function deletePredictionDataset(
  deps: Deps,
  ownerId: string,
  projectId: string,
  datasetId: string,
): Promise<void> {
  const dataset = await getPredictionDataset(deps, ownerId, projectId, datasetId);
  await deps.projects.deleteDataset(ownerId, dataset.id);
  await deps.objects.delete(dataset.objectKey);
}
