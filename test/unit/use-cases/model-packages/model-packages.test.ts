import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ModelError,
  NotFoundError,
  ValidationError,
} from '../../../../shared/domain/errors.js';
import { initialJobRecord } from '../../../../shared/domain/job.js';
import { createDeployment } from '../../../../shared/use-cases/deployments/create-deployment.js';
import { deleteModelPackage } from '../../../../shared/use-cases/model-packages/delete-model-package.js';
import { finalizeModelUpload } from '../../../../shared/use-cases/model-packages/finalize-model-upload.js';
import {
  getModelPackage,
  listModelPackages,
} from '../../../../shared/use-cases/model-packages/query-model-packages.js';
import { startModelUpload } from '../../../../shared/use-cases/model-packages/start-model-upload.js';
import { putToUrl, registerModel, useEmulatedDeps } from '../deployments/emulated-deps.js';
import { binaryModel, multiclassModel } from '../deployments/models.js';

const deps = useEmulatedDeps();
let users = 0;
const newUser = () => `mp-user-${++users}`;

function problemsOf(error: unknown) {
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems;
}

describe('registering a model package', () => {
  it('uploads through the presigned URL and finalizes to READY with the model summary', async () => {
    const owner = newUser();
    const bytes = binaryModel();
    const { record, uploadUrl } = await startModelUpload(deps(), owner, {
      name: 'churn',
      manifest: { targetName: 'churned', positiveClass: 'yes' },
    });
    expect(record).toMatchObject({
      ownerId: owner,
      name: 'churn',
      status: 'AWAITING_UPLOAD',
      sizeBytes: null,
    });
    expect(record.objectKey).toBe(`models/${record.id}/model.onnx`);
    expect(record.id).toMatch(/^[0-9a-f]{24}$/);

    await putToUrl(uploadUrl, bytes);
    const ready = await finalizeModelUpload(deps(), owner, record.id);

    expect(ready).toMatchObject({ status: 'READY', sizeBytes: bytes.byteLength });
    expect(ready.summary).toEqual({
      targetName: 'churned',
      targetType: 'Binary',
      classLabels: ['no', 'yes'],
      positiveClass: 'yes',
      predictionThreshold: 0.5,
      inputs: [
        { name: 'a', type: 'float32', columns: ['a'] },
        { name: 'b', type: 'float32', columns: ['b'] },
      ],
    });
    expect(await getModelPackage(deps(), owner, record.id)).toEqual(ready);
    // Finalizing a READY package again changes nothing.
    expect(await finalizeModelUpload(deps(), owner, record.id)).toEqual(ready);
  });

  it('rejects a broken manifest up front, naming its fields, and stores nothing', async () => {
    const owner = newUser();
    const attempt = startModelUpload(deps(), owner, {
      name: 'x',
      manifest: { targetType: 'Binomial', predictionThreshold: 2, colour: 'red' },
    });
    const problems = problemsOf(await attempt.catch((error: unknown) => error));

    expect(problems.map((p) => p.field).sort()).toEqual([
      'manifest.colour',
      'manifest.predictionThreshold',
      'manifest.targetType',
    ]);
    expect((await listModelPackages(deps(), owner, { offset: 0, limit: 10 })).totalCount).toBe(0);
  });

  it('rejects a missing or oversized name', async () => {
    const missing = await startModelUpload(deps(), newUser(), { name: '' }).catch((e: unknown) => e);
    const huge = await startModelUpload(deps(), newUser(), { name: 'n'.repeat(10_000) }).catch(
      (e: unknown) => e,
    );
    expect(problemsOf(missing).map((p) => p.field)).toEqual(['name']);
    expect(problemsOf(huge).map((p) => p.field)).toEqual(['name']);
  });

  it('says to upload first when finalize comes before the upload', async () => {
    const owner = newUser();
    const { record } = await startModelUpload(deps(), owner, { name: 'early' });

    const attempt = finalizeModelUpload(deps(), owner, record.id);

    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toThrow('upload the ONNX file to links.upload first');
    expect((await getModelPackage(deps(), owner, record.id)).status).toBe('AWAITING_UPLOAD');
  });

  it('marks a non-ONNX upload FAILED with the reason, and accepts a valid re-upload', async () => {
    const owner = newUser();
    const { record, uploadUrl } = await startModelUpload(deps(), owner, { name: 'csv by mistake' });
    await putToUrl(uploadUrl, 'a,b\n1,2\n');

    const attempt = finalizeModelUpload(deps(), owner, record.id);

    await expect(attempt).rejects.toBeInstanceOf(ModelError);
    const failed = await getModelPackage(deps(), owner, record.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.statusDetails).toMatch(/^not a valid ONNX model/);
    expect(failed.summary).toBeNull();

    await putToUrl(uploadUrl, binaryModel());
    expect((await finalizeModelUpload(deps(), owner, record.id)).status).toBe('READY');
  });

  it('marks a model that contradicts its manifest FAILED, naming both sides', async () => {
    const owner = newUser();
    const { record, uploadUrl } = await startModelUpload(deps(), owner, {
      name: 'mismatch',
      manifest: { classLabels: ['cat', 'dog'] },
    });
    await putToUrl(uploadUrl, multiclassModel());

    await expect(finalizeModelUpload(deps(), owner, record.id)).rejects.toBeInstanceOf(ModelError);
    const failed = await getModelPackage(deps(), owner, record.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.statusDetails).toContain('cat');
    expect(failed.statusDetails).toContain('red');
  });
});

describe('reading and deleting model packages', () => {
  it("treats another owner's package as missing", async () => {
    const owner = newUser();
    const ready = await registerModel(deps(), owner, binaryModel());

    await expect(getModelPackage(deps(), 'intruder', ready.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(finalizeModelUpload(deps(), 'intruder', ready.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteModelPackage(deps(), 'intruder', ready.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listModelPackages(deps(), 'intruder', { offset: 0, limit: 10 })).items).toEqual([]);
    expect(await deps().objects.head(ready.objectKey)).not.toBeNull();
  });

  it('lists newest first with paging', async () => {
    const owner = newUser();
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      ids.push((await startModelUpload(deps(), owner, { name })).record.id);
    }

    const page = await listModelPackages(deps(), owner, { offset: 1, limit: 5 });

    expect(page.items.map((r) => r.name)).toEqual(['two', 'one']);
    expect(page.totalCount).toBe(3);
  });

  it('deletes the record and the ONNX file', async () => {
    const owner = newUser();
    const ready = await registerModel(deps(), owner, binaryModel());

    await deleteModelPackage(deps(), owner, ready.id);

    await expect(getModelPackage(deps(), owner, ready.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await deps().objects.head(ready.objectKey)).toBeNull();
  });

  it('refuses to delete a package a deployment uses', async () => {
    const owner = newUser();
    const ready = await registerModel(deps(), owner, binaryModel());
    await createDeployment(deps(), owner, { modelPackageId: ready.id, label: 'live' });

    const attempt = deleteModelPackage(deps(), owner, ready.id);

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toThrow('used by 1 deployment');
    expect(await deps().objects.head(ready.objectKey)).not.toBeNull();
  });

  it('refuses to delete a package a queued job is pinned to', async () => {
    const owner = newUser();
    const ready = await registerModel(deps(), owner, binaryModel());
    await deps().jobs.create(
      initialJobRecord({
        id: deps().newId(),
        ownerId: owner,
        deploymentId: 'replaced-since',
        modelVersionId: ready.id,
        spec: {},
        created: deps().clock.now().toISOString(),
      }),
    );

    await expect(deleteModelPackage(deps(), owner, ready.id)).rejects.toThrow(
      'pinned by 1 queued or running job',
    );
    expect((await getModelPackage(deps(), owner, ready.id)).status).toBe('READY');
  });
});
