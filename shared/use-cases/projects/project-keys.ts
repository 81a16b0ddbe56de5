/** Where a project's files live in the object store (outside `jobs/`, so job-data retention never removes them). */

/** Everything stored for a project. */
export const projectPrefix = (projectId: string): string => `projects/${projectId}/`;
/** The training dataset as uploaded. */
export const trainingDataKey = (projectId: string): string => `${projectPrefix(projectId)}training.csv`;
/** A prediction dataset as uploaded. */
export const predictionDatasetKey = (projectId: string, datasetId: string): string =>
  `${projectPrefix(projectId)}predictionDatasets/${datasetId}.csv`;
/** The batch output of a finished project job, kept as the result's own copy. */
export const resultKey = (projectId: string, resultId: string): string =>
  `${projectPrefix(projectId)}results/${resultId}.csv`;
/** For training predictions: the training row number and partition of each scored row, in output order. */
export const resultRowsKey = (projectId: string, resultId: string): string =>
  `${projectPrefix(projectId)}results/${resultId}.rows.json`;
