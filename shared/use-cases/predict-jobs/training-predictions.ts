/**
 * Training predictions (`Model.request_training_predictions`): the project's training rows of a subset (all,
 * validation and holdout, or holdout) scored by one of its models, as a job. Rows keep their training row number
 * (`rowId`) and partition (`partitionId`), recorded beside the result since the scoring input holds only the
 * selected rows.
 *
 * The model is applied as trained, so predictions for training rows are in-sample (DataRobot's are out-of-fold).
 */
import { z } from 'zod';
import { NotSupportedError, ValidationError } from '../../domain/errors.js';
import {
  JobAlreadyAddedError,
  type ProjectJobRecord,
  type SubsetClaim,
  TrainingPredictionsRequestSchema,
} from '../../domain/predict-job.js';
import {
  type DataSubset,
  defaultPartitionOf,
  inSubset,
  type PartitionId,
  type ProjectRecord,
  partitionOfValue,
} from '../../domain/project.js';
import type { Deps } from '../deps.js';
import { readObject } from '../jobs/object-bytes.js';
import { parseRequest } from '../parse-request.js';
import { readCsvTable, writeCsvTable } from '../projects/csv-table.js';
import { resultRowsKey } from '../projects/project-keys.js';
import { getProject, requireModel } from '../projects/projects.js';
import { startProjectJob, viewProjectJob } from './project-jobs.js';

/** Each scored row's training row number and partition, in output order. */
export const TrainingRowsSchema = z.array(z.tuple([z.int().min(0), z.string().min(1)]));
export type TrainingRows = z.infer<typeof TrainingRowsSchema>;

/**
 * Starts a training predictions job.
 *
 * @throws NotSupportedError for allBacktests (no time series yet) and explanations; ValidationError on dataSubset
 *   when the project has no training data or the subset has no rows; JobAlreadyAddedError when the model already
 *   has a job for this subset that did not fail.
 */
export async function requestTrainingPredictions(
  deps: Deps,
  ownerId: string,
  projectId: string,
  body: unknown,
): Promise<ProjectJobRecord> {
  const request = parseRequest(TrainingPredictionsRequestSchema, body);
  if (request.dataSubset === 'allBacktests') {
    throw new NotSupportedError(
      'dataSubset',
      'allBacktests needs a datetime-partitioned (time series) project, which is not supported yet; ask for all, validationAndHoldout or holdout',
    );
  }
  if (request.explanationAlgorithm !== undefined || (request.maxExplanations ?? 0) > 0) {
    throw new NotSupportedError(
      'explanationAlgorithm',
      'explanations for training predictions are not supported yet',
    );
  }
  const subset = request.dataSubset;
  const project = await getProject(deps, ownerId, projectId);
  const model = await requireModel(deps, project, request.modelId);
  const training = project.trainingData;
  if (!training) {
    throw new ValidationError([
      {
        field: 'dataSubset',
        message: `project ${project.id} has no training dataset; upload one with POST projects/${project.id}/trainingDataset/fileUploads/ first`,
      },
    ]);
  }
  const table = readCsvTable(await readObject(deps.objects, training.objectKey));
  const partitionAt = training.partitionColumn === null ? -1 : table.header.indexOf(training.partitionColumn);
  const selected: Array<{ row: string[]; number: number; partition: PartitionId }> = [];
  table.rows.forEach((row, number) => {
    const partition = partitionAt < 0 ? defaultPartitionOf(number) : partitionOfValue(row[partitionAt] ?? '');
    if (inSubset(subset, partition)) selected.push({ row, number, partition });
  });
  if (selected.length === 0) {
    throw new ValidationError([
      { field: 'dataSubset', message: `the training dataset of project ${project.id} has no ${subset} rows` },
    ]);
  }
  const number = await deps.projects.nextJobNumber(ownerId);
  const claim = await claimSubset(deps, project, model.id, subset, number);
  try {
    const resultId = deps.newId();
    const rows: TrainingRows = selected.map((s) => [s.number, s.partition]);
    await deps.objects.put(resultRowsKey(project.id, resultId), Buffer.from(JSON.stringify(rows)), {
      contentType: 'application/json',
    });
    return await startProjectJob(deps, project, {
      kind: 'trainingPredictions',
      modelId: model.id,
      resultId,
      datasetId: null,
      dataSubset: subset,
      input: writeCsvTable({ header: table.header, rows: selected.map((s) => s.row) }),
      number,
    });
  } catch (error) {
    // The job did not start, so the subset is free again.
    await deps.projects.releaseSubsetClaim(claim);
    throw error;
  }
}

/**
 * A claim whose job never appeared is given up after this long: the request that took it ended without
 * starting the job or releasing the claim (its Lambda timed out), since no request runs longer.
 */
const ABANDONED_CLAIM_MS = 15 * 60_000;

/**
 * Claims the model's subset for job `jobNumber`, walking the claim chain: a link whose job failed (or was
 * cancelled, or was abandoned) is superseded by the next link; a link whose job is queued, running or done
 * means the subset was already requested. Each link is one conditional write, so two simultaneous requests
 * never both win.
 *
 * @throws JobAlreadyAddedError when a job for the subset exists that did not fail
 */
async function claimSubset(
  deps: Deps,
  project: ProjectRecord,
  modelId: string,
  dataSubset: DataSubset,
  jobNumber: number,
): Promise<SubsetClaim> {
  const { ownerId } = project;
  const claimed = deps.clock.now().toISOString();
  let supersedes = 0;
  for (;;) {
    const claim = { ownerId, projectId: project.id, modelId, dataSubset, supersedes, jobNumber, claimed };
    if (await deps.projects.claimSubset(claim)) return claim;
    const held = await deps.projects.getSubsetClaim(ownerId, project.id, modelId, dataSubset, supersedes);
    // Released since the write failed: that link is free again.
    if (!held) continue;
    if (!(await claimIsOver(deps, held))) {
      throw new JobAlreadyAddedError(
        `training predictions of model ${modelId} for ${dataSubset} were already requested (job ${held.jobNumber})`,
      );
    }
    supersedes = held.jobNumber;
  }
}

/** Whether the claim's job failed or was cancelled, or the claim was abandoned before its job started. */
async function claimIsOver(deps: Deps, claim: SubsetClaim): Promise<boolean> {
  const job = await deps.projects.getJob(claim.ownerId, claim.projectId, claim.jobNumber);
  if (!job) return deps.clock.now().getTime() - Date.parse(claim.claimed) > ABANDONED_CLAIM_MS;
  const { status } = await viewProjectJob(deps, job);
  return status === 'error' || status === 'ABORTED';
}
