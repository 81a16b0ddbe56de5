/**
 * Reading finished project jobs' results: predictions (`Predictions.list/get`, the predictions rows) and
 * training predictions (`TrainingPredictions.list`, their rows). A result exists once its job is COMPLETED.
 */
import { NotFoundError } from '../../domain/errors.js';
import type { ModelSummary } from '../../domain/model-package.js';
import type { ProjectJobKind, ProjectJobRecord } from '../../domain/predict-job.js';
import type { PartitionId } from '../../domain/project.js';
import type { Deps } from '../deps.js';
import { readObject } from '../jobs/object-bytes.js';
import { readCsvTable } from '../projects/csv-table.js';
import { resultKey, resultRowsKey } from '../projects/project-keys.js';
import { getProject, requireModel } from '../projects/projects.js';
import { type PredictionRow, predictionRows } from './prediction-rows.js';
import { viewProjectJob } from './project-jobs.js';
import { TrainingRowsSchema } from './training-predictions.js';

export interface ResultRows<Row> {
  readonly job: ProjectJobRecord;
  readonly model: ModelSummary;
  readonly rows: Row[];
}

export type PredictionResultRow = PredictionRow & { readonly rowId: number };
export type TrainingResultRow = PredictionResultRow & { readonly partitionId: PartitionId };

/** Filters of `GET predictionsMetadata/`. */
export interface ResultFilter {
  readonly modelId?: string;
  readonly datasetId?: string;
}

/** The project's finished jobs of `kind` (their results), oldest first, narrowed by `filter`. */
export async function listResults(
  deps: Deps,
  ownerId: string,
  projectId: string,
  kind: ProjectJobKind,
  filter: ResultFilter = {},
): Promise<ProjectJobRecord[]> {
  const project = await getProject(deps, ownerId, projectId);
  const jobs = (await deps.projects.listJobs(ownerId, project.id)).filter(
    (job) =>
      job.kind === kind &&
      (filter.modelId === undefined || job.modelId === filter.modelId) &&
      (filter.datasetId === undefined || job.datasetId === filter.datasetId),
  );
  const views = await Promise.all(jobs.map((job) => viewProjectJob(deps, job)));
  return views.filter((v) => v.status === 'COMPLETED').map((v) => v.record);
}

/** The finished job whose result is `resultId`; NotFoundError when there is none (yet). */
export async function requireResult(
  deps: Deps,
  ownerId: string,
  projectId: string,
  kind: ProjectJobKind,
  resultId: string,
): Promise<ProjectJobRecord> {
  const found = (await listResults(deps, ownerId, projectId, kind)).find((job) => job.resultId === resultId);
  const what = kind === 'predict' ? 'predictions' : 'training predictions';
  if (!found) throw new NotFoundError(what, resultId.slice(0, 64));
  return found;
}

/** The rows of predictions `predictionId`, with `rowId` = the dataset row number from 0. */
export async function readPredictions(
  deps: Deps,
  ownerId: string,
  projectId: string,
  predictionId: string,
): Promise<ResultRows<PredictionResultRow>> {
  const job = await requireResult(deps, ownerId, projectId, 'predict', predictionId);
  const { model, rows } = await scoredRows(deps, job);
  return { job, model, rows: rows.map((row, rowId) => ({ rowId, ...row })) };
}

/** The rows of training predictions `resultId`, with their training row numbers and partitions. */
export async function readTrainingPredictions(
  deps: Deps,
  ownerId: string,
  projectId: string,
  resultId: string,
): Promise<ResultRows<TrainingResultRow>> {
  const job = await requireResult(deps, ownerId, projectId, 'trainingPredictions', resultId);
  const { model, rows } = await scoredRows(deps, job);
  const origins = TrainingRowsSchema.parse(
    JSON.parse((await readObject(deps.objects, resultRowsKey(job.projectId, job.resultId))).toString('utf8')),
  );
  if (origins.length !== rows.length) {
    throw new Error(
      `training predictions ${job.resultId} have ${rows.length} rows but ${origins.length} origins`,
    );
  }
  return {
    job,
    model,
    rows: rows.map((row, i) => {
      const [rowId, partitionId] = origins[i] as [number, PartitionId];
      return { rowId, partitionId, ...row };
    }),
  };
}

async function scoredRows(deps: Deps, job: ProjectJobRecord) {
  const project = await getProject(deps, job.ownerId, job.projectId);
  const { summary } = await requireModel(deps, project, job.modelId);
  const output = readCsvTable(await readObject(deps.objects, resultKey(job.projectId, job.resultId)));
  return { model: summary, rows: predictionRows(output, summary) };
}
