/**
 * Projects, models, prediction datasets and project jobs as DataRobot's client reads them (protocol
 * predict-and-monitoring §0b, §1.1, §1.3): every key sent has the type the client's schema checks, ids of jobs
 * are digit strings, and links are absolute.
 */
import type { PredictionDatasetRecord } from '../../domain/prediction-dataset.js';
import type { ProjectRecord } from '../../domain/project.js';
import type { ProjectJobView } from '../../use-cases/predict-jobs/project-jobs.js';
import type { ProjectModel } from '../../use-cases/projects/projects.js';

const METRIC_BY_TARGET = { Binary: 'LogLoss', Multiclass: 'LogLoss', Regression: 'RMSE' } as const;

/** `GET projects/{id}/`: a plain (non time series, random-partitioned) project in the modeling stage. */
export function projectDocument(project: ProjectRecord): Record<string, unknown> {
  const { target, trainingData } = project;
  return {
    id: project.id,
    projectName: project.name,
    projectDescription: '',
    target: target.name,
    targetType: target.type,
    ...(target.type === 'Binary' && target.positiveClass !== null
      ? { positiveClass: target.positiveClass }
      : {}),
    stage: 'modeling',
    metric: METRIC_BY_TARGET[target.type],
    autopilotMode: 0,
    holdoutUnlocked: true,
    unsupervisedMode: false,
    useFeatureDiscovery: false,
    partition: {
      cvMethod: 'random',
      useTimeSeries: false,
      validationType: 'TVH',
      datetimeCol: null,
      partitionKeyCols: trainingData?.partitionColumn ? [trainingData.partitionColumn] : null,
    },
    advancedOptions: {},
    fileName: trainingData?.fileName ?? '',
    created: project.created,
    // Batchline's additions: what the project holds.
    modelIds: project.modelIds,
    trainingData: trainingData && {
      fileName: trainingData.fileName,
      numRows: trainingData.numRows,
      numColumns: trainingData.columns.length,
      partitionColumn: trainingData.partitionColumn,
      uploaded: trainingData.uploaded,
    },
  };
}

/** `GET projects/{id}/models/{modelId}/`: a model is a model package; `projectId` is what the client needs most. */
export function modelDocument(project: ProjectRecord, model: ProjectModel): Record<string, unknown> {
  const { summary } = model;
  return {
    id: model.id,
    projectId: project.id,
    modelType: model.name,
    modelCategory: 'model',
    modelNumber: project.modelIds.indexOf(model.id) + 1,
    blueprintId: model.id,
    featurelistName: 'Model inputs',
    processes: [],
    samplePct: 100,
    ...(project.trainingData ? { trainingRowCount: project.trainingData.numRows } : {}),
    metrics: {},
    isFrozen: false,
    isStarred: false,
    supportsMonotonicConstraints: false,
    supportsComposableMl: false,
    ...(summary.targetType === 'Binary'
      ? { predictionThreshold: summary.predictionThreshold, predictionThresholdReadOnly: true }
      : {}),
    modelPackageId: model.id,
  };
}

/** `GET projects/{id}/predictionDatasets/{datasetId}/`, with the data quality warnings the client requires. */
export function predictionDatasetDocument(
  project: ProjectRecord,
  dataset: PredictionDatasetRecord,
): Record<string, unknown> {
  return {
    id: dataset.id,
    projectId: dataset.projectId,
    name: dataset.name,
    created: dataset.created,
    numRows: dataset.numRows,
    numColumns: dataset.columns.length,
    dataQualityWarnings: {
      hasKiaMissingValuesInForecastWindow: false,
      insufficientRowsForEvaluatingModels: false,
      singleClassActualValueColumn: false,
    },
    containsTargetValues: dataset.columns.includes(project.target.name),
    ...(dataset.actualValueColumn !== null ? { actualValueColumn: dataset.actualValueColumn } : {}),
    detectedActualValueColumns: [],
  };
}

/** The URL of a project job: predict jobs under `predictJobs/`, training prediction jobs under `jobs/`. */
export function projectJobUrl(baseUrl: string, view: ProjectJobView): string {
  const { record } = view;
  const collection = record.kind === 'predict' ? 'predictJobs' : 'jobs';
  return `${baseUrl}/projects/${record.projectId}/${collection}/${record.number}/`;
}

/** Where a finished project job leads: its predictions or training predictions. */
export function projectJobResultUrl(baseUrl: string, view: ProjectJobView): string {
  const { record } = view;
  const collection = record.kind === 'predict' ? 'predictions' : 'trainingPredictions';
  return `${baseUrl}/projects/${record.projectId}/${collection}/${record.resultId}/`;
}

/** A predict or training predictions job (AbstractJob: integer id, exact status values, isBlocked, url). */
export function projectJobDocument(baseUrl: string, view: ProjectJobView): Record<string, unknown> {
  const { record } = view;
  return {
    id: String(record.number),
    status: view.status,
    projectId: record.projectId,
    modelId: record.modelId,
    isBlocked: false,
    message: view.message,
    jobType: record.kind === 'predict' ? 'predict' : 'trainingPredictions',
    url: projectJobUrl(baseUrl, view),
    batchPredictionJobId: record.batchJobId,
  };
}
