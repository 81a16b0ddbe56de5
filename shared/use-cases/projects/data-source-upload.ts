/**
 * `Project.upload_dataset_from_data_source`: a prediction dataset read once from an external data source (its
 * query or table, through the data store's SQL adapter), stored like an uploaded file.
 */
import { DataSourceUploadSchema } from '../../domain/data-source.js';
import { NotSupportedError, ValidationError } from '../../domain/errors.js';
import type { PredictionDatasetRecord } from '../../domain/prediction-dataset.js';
import { getDataSource } from '../data-sources/manage-data-sources.js';
import { type DataSourceLogin, readDataSource } from '../data-sources/read-data-source.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { checkedOptions, MAX_URL_UPLOAD_BYTES, storePredictionDataset } from './datasets.js';
import { getProject } from './projects.js';

/** The rows are kept whole like a URL upload's, so they are bounded the same. */
export const MAX_DATA_SOURCE_UPLOAD_BYTES = MAX_URL_UPLOAD_BYTES;

/**
 * Reads the owner's data source (`dataSourceId`) as the given login and stores its rows as a prediction
 * dataset named after the data source. The password is used for this read only.
 *
 * @throws NotFoundError for a missing or foreign project, data source, data store or credential;
 *   ValidationError / NotSupportedError naming the field for bad options; DataSourceError when the database
 *   refuses the login or the query
 */
export async function uploadPredictionDatasetFromDataSource(
  deps: Deps,
  ownerId: string,
  projectId: string,
  input: unknown,
): Promise<PredictionDatasetRecord> {
  const body = parseRequest(DataSourceUploadSchema, input);
  const {
    dataSourceId,
    credentialId,
    user,
    password,
    useKerberos,
    predictions_start_date,
    predictions_end_date,
    secondary_datasets_config_id,
    actual_value_column,
    ...options
  } = body;
  if (useKerberos === true) {
    throw new NotSupportedError(
      'useKerberos',
      'Kerberos authentication is not supported; give a basic credentialId, or user and password',
    );
  }
  const uploadOptions = checkedOptions({
    ...options,
    predictionsStartDate: options.predictionsStartDate ?? predictions_start_date,
    predictionsEndDate: options.predictionsEndDate ?? predictions_end_date,
    secondaryDatasetsConfigId: options.secondaryDatasetsConfigId ?? secondary_datasets_config_id,
    actualValueColumn: options.actualValueColumn ?? actual_value_column,
  });
  const login = loginOf(credentialId, user, password);
  const project = await getProject(deps, ownerId, projectId);
  const source = await getDataSource(deps, ownerId, dataSourceId);
  const rows = await readDataSource(deps, source, login, {
    maxBytes: MAX_DATA_SOURCE_UPLOAD_BYTES,
    field: 'dataSourceId',
  });
  if (rows.numRows === 0) {
    throw new ValidationError([
      {
        field: 'dataSourceId',
        message: `data source ${source.canonicalName} returned no rows to predict on`,
      },
    ]);
  }
  return storePredictionDataset(
    deps,
    project,
    { fileName: source.canonicalName, bytes: rows.csv },
    uploadOptions,
  );
}

/** Either a stored credential or a user and password: with both, which one applies would be unclear. */
function loginOf(
  credentialId: string | undefined,
  user: string | undefined,
  password: string | undefined,
): DataSourceLogin {
  if (credentialId !== undefined && (user !== undefined || password !== undefined)) {
    throw new ValidationError([
      { field: 'credentialId', message: 'give either credentialId or user and password, not both' },
    ]);
  }
  if (user === undefined) {
    if (password !== undefined) {
      throw new ValidationError([{ field: 'user', message: 'required with password' }]);
    }
    return { credentialId };
  }
  return { user, password: password ?? '' };
}
