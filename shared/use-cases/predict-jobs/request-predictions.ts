/**
 * `Model.request_predictions` (`POST projects/{id}/predictions/`): scores one of the project's prediction
 * datasets with one of its models, as a predict job.
 */
import { NotSupportedError, ValidationError } from '../../domain/errors.js';
import {
  type PredictRequest,
  PredictRequestSchema,
  type ProjectJobRecord,
} from '../../domain/predict-job.js';
import type { Deps } from '../deps.js';
import { readObject } from '../jobs/object-bytes.js';
import { parseRequest } from '../parse-request.js';
import { getPredictionDataset } from '../projects/datasets.js';
import { getProject, requireModel } from '../projects/projects.js';
import { startProjectJob } from './project-jobs.js';

/**
 * Starts a predict job. Unknown project, model or dataset: NotFoundError. A dataset lacking a column the model
 * reads: ValidationError on `datasetId` naming the columns (DataRobot refuses it at request time too).
 * Prediction intervals, time series options and explanations: NotSupportedError.
 */
export async function requestPredictions(
  deps: Deps,
  ownerId: string,
  projectId: string,
  body: unknown,
): Promise<ProjectJobRecord> {
  const request = checkSupported(parseRequest(PredictRequestSchema, body));
  const project = await getProject(deps, ownerId, projectId);
  const model = await requireModel(deps, project, request.modelId);
  const dataset = await getPredictionDataset(deps, ownerId, project.id, request.datasetId);
  const required = model.summary.inputs.flatMap((input) => input.columns);
  const missing = [...new Set(required)].filter((column) => !dataset.columns.includes(column));
  if (missing.length > 0) {
    throw new ValidationError([
      {
        field: 'datasetId',
        message: `prediction dataset ${dataset.id} (${dataset.name}) is missing ${missing.length === 1 ? 'a feature' : 'features'} the model needs: ${missing.join(', ')}`,
      },
    ]);
  }
  if (request.actualValueColumn !== undefined && !dataset.columns.includes(request.actualValueColumn)) {
    throw new ValidationError([
      {
        field: 'actualValueColumn',
        message: `"${request.actualValueColumn}" is not a column of ${dataset.name}`,
      },
    ]);
  }
  return startProjectJob(deps, project, {
    kind: 'predict',
    modelId: model.id,
    resultId: deps.newId(),
    datasetId: dataset.id,
    dataSubset: null,
    input: await readObject(deps.objects, dataset.objectKey),
  });
}

const TIME_SERIES_FIELDS = ['forecastPoint', 'predictionsStartDate', 'predictionsEndDate'] as const;

function checkSupported(request: PredictRequest): PredictRequest {
  if (request.includePredictionIntervals) {
    throw new NotSupportedError('includePredictionIntervals', 'prediction intervals are not supported yet');
  }
  for (const field of TIME_SERIES_FIELDS) {
    if (request[field] !== undefined) {
      throw new NotSupportedError(
        field,
        `${field} applies to time series projects, which are not supported yet`,
      );
    }
  }
  if (request.explanationAlgorithm !== undefined || (request.maxExplanations ?? 0) > 0) {
    throw new NotSupportedError(
      'explanationAlgorithm',
      'prediction explanations for predict jobs are not supported yet',
    );
  }
  return request;
}
