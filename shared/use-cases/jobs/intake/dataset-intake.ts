/**
 * `intakeSettings: {type: dataset, datasetId, datasetVersionId?}`: scores a version of a catalog dataset (the
 * latest when no version is named, resolved when the job starts). Versions are immutable, so scoring the same
 * version again reads the same bytes. A CSV version is copied into the job's input as is; a Parquet version is
 * converted to CSV row group by row group.
 */
import type { DatasetRecord, DatasetVersionRecord } from '../../../domain/dataset.js';
import { DataSourceError, NotFoundError } from '../../../domain/errors.js';
import type { JobRecord } from '../../../domain/job.js';
import { type IntakeSettings, type JobSpec, parseJobSpec } from '../../../domain/job-spec.js';
import { resolveDialect } from '../../../engine/csv/dialect.js';
import type { Deps } from '../../deps.js';
import { inputPartKey } from '../job-keys.js';
import type { IntakeSource } from './intake-sources.js';
import { objectRandomAccess, writeParquetAsCsv } from './parquet-input.js';

type DatasetIntake = Extract<IntakeSettings, { type: 'dataset' }>;

/** The dataset intake, registered in INTAKE_SOURCES under `dataset`. */
export const DATASET_INTAKE: IntakeSource = {
  async materialize(deps: Deps, job: JobRecord): Promise<number> {
    const spec = parseJobSpec(job.spec);
    const version = await resolveVersion(deps, job.ownerId, datasetSettings(spec));
    if (!version) {
      throw new DataSourceError(
        `${describe(datasetSettings(spec))} no longer exists (it was deleted after the job was created); ` +
          'score an existing dataset version',
      );
    }
    const target = inputPartKey(job.id, 0);
    if (version.format === 'parquet') {
      const file = objectRandomAccess(deps.objects, version.objectKey, version.sizeBytes);
      await writeParquetAsCsv(deps.objects, file, target, resolveDialect(spec.csvSettings));
    } else {
      await deps.objects.put(target, await deps.objects.get(version.objectKey), { contentType: 'text/csv' });
    }
    await deps.jobs.appendLog(
      job.id,
      `${deps.clock.now().toISOString()} Scoring dataset ${version.datasetId} version ${version.id} ` +
        `(${version.format}, ${version.rowCount} rows)`,
    );
    return version.sizeBytes;
  },

  async checkSpec(deps: Deps, ownerId: string, spec: JobSpec): Promise<void> {
    const settings = datasetSettings(spec);
    if (!(await resolveVersion(deps, ownerId, settings))) {
      const missingVersion = settings.datasetVersionId !== undefined;
      const kind = missingVersion ? 'dataset version' : 'dataset';
      const id = missingVersion ? (settings.datasetVersionId as string) : settings.datasetId;
      throw new NotFoundError(kind, id.slice(0, 64));
    }
  },
};

function datasetSettings(spec: JobSpec): DatasetIntake {
  return spec.intakeSettings as DatasetIntake;
}

/** The named version, or the dataset's latest; null when either is missing or another owner's. */
async function resolveVersion(
  deps: Deps,
  ownerId: string,
  settings: DatasetIntake,
): Promise<DatasetVersionRecord | null> {
  const dataset: DatasetRecord | null = await deps.datasets.get(ownerId, settings.datasetId);
  if (!dataset) return null;
  return deps.datasets.getVersion(ownerId, dataset.id, settings.datasetVersionId ?? dataset.latestVersionId);
}

function describe(settings: DatasetIntake): string {
  return settings.datasetVersionId === undefined
    ? `dataset ${settings.datasetId}`
    : `version ${settings.datasetVersionId} of dataset ${settings.datasetId}`;
}
