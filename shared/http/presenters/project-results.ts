/**
 * Predictions and training predictions as DataRobot serves them (protocol predict-and-monitoring §1.6-1.7):
 * metadata items, JSON rows, and CSV for `Accept: text/csv`. Column names of the CSV follow the client's own
 * DataFrame (`row_id`, `prediction`, `class_<label>`...), so both serializers give the same frame.
 */
import type { ProjectJobRecord } from '../../domain/predict-job.js';
import type {
  PredictionResultRow,
  ResultRows,
  TrainingResultRow,
} from '../../use-cases/predict-jobs/results.js';
import { writeCsvTable } from '../../use-cases/projects/csv-table.js';

const predictionsUrl = (baseUrl: string, job: ProjectJobRecord) =>
  `${baseUrl}/projects/${job.projectId}/predictions/${job.resultId}/`;

/** An item of `GET predictionsMetadata/` (and `predictionsMetadata/{id}/`). */
export function predictionsMetadataDocument(baseUrl: string, job: ProjectJobRecord): Record<string, unknown> {
  return {
    id: job.resultId,
    projectId: job.projectId,
    url: predictionsUrl(baseUrl, job),
    modelId: job.modelId,
    predictionDatasetId: job.datasetId,
    datasetId: job.datasetId,
    includesPredictionIntervals: false,
    predictionJobId: String(job.number),
  };
}

/** `GET predictions/{id}/` as JSON. */
export function predictionsDocument(result: ResultRows<PredictionResultRow>): Record<string, unknown> {
  const { model } = result;
  return {
    task: model.targetType,
    ...(model.targetType === 'Binary' && model.positiveClass !== null
      ? { positiveClass: model.positiveClass }
      : {}),
    includesPredictionIntervals: false,
    predictions: result.rows,
  };
}

/** `GET predictions/{id}/` as CSV: row_id, prediction, the binary extras, then one class_<label> per class. */
export function predictionsCsv(result: ResultRows<PredictionResultRow>): Buffer {
  const binary = result.model.targetType === 'Binary';
  const classes = classColumns(result);
  const header = [
    'row_id',
    'prediction',
    ...(binary ? ['prediction_threshold', 'positive_probability'] : []),
    ...classes.map((label) => `class_${label}`),
  ];
  const rows = result.rows.map((row) => [
    String(row.rowId),
    String(row.prediction),
    ...(binary ? [String(row.predictionThreshold), String(row.positiveProbability ?? '')] : []),
    ...(classes.length > 0 ? row.predictionValues.map((v) => String(v.value)) : []),
  ]);
  return writeCsvTable({ header, rows });
}

/** An item of `GET trainingPredictions/`. */
export function trainingPredictionsItem(baseUrl: string, job: ProjectJobRecord): Record<string, unknown> {
  return {
    id: job.resultId,
    url: `${baseUrl}/projects/${job.projectId}/trainingPredictions/${job.resultId}/`,
    modelId: job.modelId,
    dataSubset: job.dataSubset,
    explanationAlgorithm: null,
    maxExplanations: null,
    shapWarnings: null,
  };
}

/**
 * One page of training prediction rows. The client rebuilds the next request from `next`'s query with every
 * parameter turned into an integer, so `next` carries only offset and limit; no limit means every row.
 */
export function trainingRowsPage(
  result: ResultRows<TrainingResultRow>,
  pageUrl: string,
  page: { offset: number; limit: number | null },
): Record<string, unknown> {
  const end = page.limit === null ? result.rows.length : page.offset + page.limit;
  const data = result.rows.slice(page.offset, end);
  const link = (offset: number) => `${pageUrl}?offset=${offset}&limit=${page.limit}`;
  const hasNext = page.limit !== null && end < result.rows.length;
  const hasPrevious = page.limit !== null && page.offset > 0;
  return {
    count: data.length,
    totalCount: result.rows.length,
    next: hasNext ? link(end) : null,
    previous: hasPrevious ? link(Math.max(0, page.offset - (page.limit ?? 0))) : null,
    data,
  };
}

/** Training prediction rows as CSV: row_id, partition_id, prediction, then class_<label> per class. */
export function trainingPredictionsCsv(result: ResultRows<TrainingResultRow>): Buffer {
  const classes = classColumns(result);
  const header = ['row_id', 'partition_id', 'prediction', ...classes.map((label) => `class_${label}`)];
  const rows = result.rows.map((row) => [
    String(row.rowId),
    row.partitionId,
    String(row.prediction),
    ...(classes.length > 0 ? row.predictionValues.map((v) => String(v.value)) : []),
  ]);
  return writeCsvTable({ header, rows });
}

/** Class labels of a classification result, empty for regression. */
function classColumns(result: ResultRows<PredictionResultRow>): string[] {
  return result.model.targetType === 'Regression' ? [] : result.model.classLabels;
}
