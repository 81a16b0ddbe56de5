/**
 * The dataset intake and catalog use cases on the real adapters (dynalite, s3rver): what a job's input becomes,
 * what happens when the dataset goes away, owner checks at job creation, and that datasets outlive job retention.
 */
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { expireJobData } from '../../../local/retention.js';
import { DataSourceError, NotFoundError } from '../../../shared/domain/errors.js';
import { initialJobRecord, type JobRecord } from '../../../shared/domain/job.js';
import { parseJobSpec } from '../../../shared/domain/job-spec.js';
import {
  addDatasetVersion,
  createDataset,
  deleteDataset,
  listDatasetVersions,
} from '../../../shared/use-cases/datasets/manage-datasets.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { DATASET_INTAKE } from '../../../shared/use-cases/jobs/intake/dataset-intake.js';
import { inputPartKey } from '../../../shared/use-cases/jobs/job-keys.js';
import { readObject } from '../../../shared/use-cases/jobs/object-bytes.js';
import { useEmulatedDeps } from '../use-cases/deployments/emulated-deps.js';

function parquetOf(city: string[], n: bigint[]): Buffer {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: [
      { name: 'city', data: city, type: 'STRING' },
      { name: 'n', data: n, type: 'INT64' },
    ],
  });
  return Buffer.from(writer.getBytes());
}

/** A stored job of `ownerId` reading `intakeSettings` (materialize logs to it). */
async function jobFor(
  deps: Deps,
  ownerId: string,
  intakeSettings: Record<string, unknown>,
  csvSettings = {},
): Promise<JobRecord> {
  const job = initialJobRecord({
    id: deps.newId(),
    ownerId,
    deploymentId: deps.newId(),
    modelVersionId: deps.newId(),
    spec: parseJobSpec({ deploymentId: deps.newId(), intakeSettings, csvSettings }),
    created: deps.clock.now().toISOString(),
  });
  await deps.jobs.create(job);
  return job;
}

describe('dataset intake', () => {
  const deps = useEmulatedDeps();

  it('writes a Parquet version as CSV in the job dialect, latest unless a version is named', async () => {
    const file = parquetOf(['Zürich', 'a;b'], [2n ** 60n, -1n]);
    const { dataset, version: first } = await createDataset(deps(), 'ann', {
      fileName: 'cities.parquet',
      origin: 'file',
      body: file,
    });
    expect(first).toMatchObject({ format: 'parquet', rowCount: 2, columnCount: 2, sizeBytes: file.length });
    const { version: second } = await addDatasetVersion(deps(), 'ann', dataset.id, {
      fileName: 'cities.csv',
      origin: 'file',
      body: Buffer.from('city;n\nBern;1\n'),
    });
    const versions = await listDatasetVersions(deps(), 'ann', dataset.id);
    expect(versions.map((v) => v.version.id)).toEqual([second.id, first.id]);

    const pinned = await jobFor(
      deps(),
      'ann',
      { type: 'dataset', datasetId: dataset.id, datasetVersionId: first.id },
      { delimiter: ';', encoding: 'latin-1' },
    );
    expect(await DATASET_INTAKE.materialize(deps(), pinned)).toBe(file.length);
    const csv = await readObject(deps().objects, inputPartKey(pinned.id, 0));
    expect(iconv.decode(csv, 'latin1')).toBe(`city;n\nZürich;${2n ** 60n}\n"a;b";-1\n`);

    const latest = await jobFor(deps(), 'ann', { type: 'dataset', datasetId: dataset.id });
    await DATASET_INTAKE.materialize(deps(), latest);
    expect((await readObject(deps().objects, inputPartKey(latest.id, 0))).toString()).toBe(
      'city;n\nBern;1\n',
    );
  });

  it("refuses another owner's dataset or an unknown version at job creation", async () => {
    const { dataset } = await createDataset(deps(), 'ann', {
      fileName: 'a.csv',
      origin: 'file',
      body: Buffer.from('a\n1\n'),
    });
    const theirs = await jobFor(deps(), 'bob', { type: 'dataset', datasetId: dataset.id });
    await expect(DATASET_INTAKE.checkSpec?.(deps(), 'bob', parseJobSpec(theirs.spec))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const missing = await jobFor(deps(), 'ann', {
      type: 'dataset',
      datasetId: dataset.id,
      datasetVersionId: 'f'.repeat(24),
    });
    await expect(DATASET_INTAKE.checkSpec?.(deps(), 'ann', parseJobSpec(missing.spec))).rejects.toThrow(
      `dataset version ${'f'.repeat(24)} not found`,
    );
    await expect(
      DATASET_INTAKE.checkSpec?.(
        deps(),
        'ann',
        parseJobSpec((await jobFor(deps(), 'ann', { type: 'dataset', datasetId: dataset.id })).spec),
      ),
    ).resolves.toBeUndefined();
  });

  it('ends a job whose dataset was deleted after creation with a reason', async () => {
    const { dataset } = await createDataset(deps(), 'ann', {
      fileName: 'a.csv',
      origin: 'file',
      body: Buffer.from('a\n1\n'),
    });
    const job = await jobFor(deps(), 'ann', { type: 'dataset', datasetId: dataset.id });
    await deleteDataset(deps(), 'ann', dataset.id);
    const failure = DATASET_INTAKE.materialize(deps(), job);
    await expect(failure).rejects.toBeInstanceOf(DataSourceError);
    await expect(failure).rejects.toThrow(`dataset ${dataset.id} no longer exists`);
  });

  it('keeps dataset bytes when job data expires', async () => {
    const { version } = await createDataset(deps(), 'ann', {
      fileName: 'k.csv',
      origin: 'file',
      body: Buffer.from('a\n1\n'),
    });
    await deps().objects.put('jobs/0123456789abcdef01234567/input/000000', Buffer.from('a\n1\n'));
    const later = new Date(Date.now() + 1000 * 3600 * 1000);
    expect(await expireJobData(deps().objects, 48, later)).toBeGreaterThan(0);
    expect(await deps().objects.list('jobs/')).toEqual([]);
    expect(await deps().objects.head(version.objectKey)).toEqual({ size: 4 });
  });
});
