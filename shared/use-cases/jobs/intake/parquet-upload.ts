/**
 * `intakeSettings: {type: localFile, format: parquet}`: each uploaded part is a Parquet file. Before planning,
 * prepare converts every part into the CSV part the planner reads, in place. The uploaded file is first moved
 * aside (`jobs/<id>/input-parquet/<part>`), so a prepare retried after a crash converts again from the original,
 * never from its own half-written CSV.
 */
import { ScoringError } from '../../../domain/errors.js';
import type { JobSpec } from '../../../domain/job-spec.js';
import type { CsvDialect } from '../../../engine/csv/dialect.js';
import type { Deps } from '../../deps.js';
import { inputPartKey, inputPartNumber, inputPrefix } from '../job-keys.js';
import { looksLikeParquet, objectRandomAccess, writeParquetAsCsv } from './parquet-input.js';

/** Where an uploaded Parquet part is kept while (and after) its CSV twin is written. */
const uploadedParquetKey = (jobId: string, part: number): string =>
  `jobs/${jobId}/input-parquet/${String(part).padStart(6, '0')}`;

/** Whether the job's upload is Parquet (a localFile intake with `format: parquet`). */
export function isParquetUpload(spec: JobSpec): boolean {
  const intake = spec.intakeSettings;
  return intake.type === 'localFile' && intake.format === 'parquet';
}

/**
 * Converts each uploaded Parquet part of the job into a CSV part in the job's dialect.
 *
 * @throws ScoringError naming the part when an upload is not a Parquet file, ParquetFormatError when it cannot
 *   be read; the job then ends ABORTED with that message.
 */
export async function convertUploadedParquet(deps: Deps, jobId: string, dialect: CsvDialect): Promise<void> {
  const uploaded = (await deps.objects.list(inputPrefix(jobId)))
    .map((object) => ({ part: inputPartNumber(jobId, object.key), size: object.size }))
    .filter((p): p is { part: number; size: number } => p.part !== null);
  for (const { part, size } of uploaded) {
    const original = uploadedParquetKey(jobId, part);
    let kept = await deps.objects.head(original);
    if (kept === null) {
      const input = inputPartKey(jobId, part);
      if (!(await looksLikeParquet(deps.objects, input, size))) {
        throw new ScoringError(
          `input part ${part} is not a Parquet file, but intakeSettings.format is "parquet": upload Parquet, ` +
            'or leave format out to upload CSV',
        );
      }
      await deps.objects.put(original, await deps.objects.get(input));
      kept = { size };
    }
    const file = objectRandomAccess(deps.objects, original, kept.size);
    await writeParquetAsCsv(deps.objects, file, inputPartKey(jobId, part), dialect);
  }
}
