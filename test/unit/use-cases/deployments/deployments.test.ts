import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../../shared/domain/errors.js';
import { initialJobRecord, type JobRecord } from '../../../../shared/domain/job.js';
import { createDeployment } from '../../../../shared/use-cases/deployments/create-deployment.js';
import { deleteDeployment } from '../../../../shared/use-cases/deployments/delete-deployment.js';
import {
  getDeployment,
  listDeployments,
} from '../../../../shared/use-cases/deployments/query-deployments.js';
import { replaceDeploymentModel } from '../../../../shared/use-cases/deployments/replace-deployment-model.js';
import { updateDeployment } from '../../../../shared/use-cases/deployments/update-deployment.js';
import { startModelUpload } from '../../../../shared/use-cases/model-packages/start-model-upload.js';
import { registerModel, useEmulatedDeps } from './emulated-deps.js';
import { binaryModel, multiclassModel, regressionModel } from './models.js';

const deps = useEmulatedDeps();
let users = 0;
const newUser = () => `dep-user-${++users}`;

async function fieldsOf(attempt: Promise<unknown>): Promise<string[]> {
  const error = await attempt.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems.map((p) => p.field);
}

async function queuedJob(ownerId: string, deploymentId: string, modelVersionId: string): Promise<JobRecord> {
  const job = initialJobRecord({
    id: deps().newId(),
    ownerId,
    deploymentId,
    modelVersionId,
    spec: { deploymentId },
    created: deps().clock.now().toISOString(),
  });
  await deps().jobs.create(job);
  return job;
}

describe('creating deployments', () => {
  it('deploys a READY package of the caller', async () => {
    const owner = newUser();
    const model = await registerModel(deps(), owner, binaryModel());

    const created = await createDeployment(deps(), owner, { modelPackageId: model.id, label: 'Churn' });

    expect(created).toMatchObject({
      ownerId: owner,
      label: 'Churn',
      description: null,
      modelPackageId: model.id,
    });
    expect(created.version).toBe(1);
    expect(created.updated).toBe(created.created);
    expect(await getDeployment(deps(), owner, created.id)).toEqual(created);
  });

  it("refuses another owner's package as unknown and a package that is not READY", async () => {
    const owner = newUser();
    const model = await registerModel(deps(), owner, binaryModel());
    const { record: pending } = await startModelUpload(deps(), owner, { name: 'pending' });

    await expect(
      createDeployment(deps(), 'intruder', { modelPackageId: model.id, label: 'stolen' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const notReady = createDeployment(deps(), owner, { modelPackageId: pending.id, label: 'early' });
    await expect(notReady).rejects.toThrow('model package is not READY (it is AWAITING_UPLOAD');
    expect(await fieldsOf(notReady)).toEqual(['modelPackageId']);
  });

  it('names every invalid field of the request', async () => {
    const body = { modelPackageId: 7, label: '', description: 3 } as unknown as Parameters<
      typeof createDeployment
    >[2];
    expect((await fieldsOf(createDeployment(deps(), newUser(), body))).sort()).toEqual([
      'description',
      'label',
      'modelPackageId',
    ]);
  });
});

describe('reading, updating and deleting deployments', () => {
  it("treats another owner's deployment as missing", async () => {
    const owner = newUser();
    const model = await registerModel(deps(), owner, binaryModel());
    const created = await createDeployment(deps(), owner, { modelPackageId: model.id, label: 'mine' });

    await expect(getDeployment(deps(), 'intruder', created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateDeployment(deps(), 'intruder', created.id, { label: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(deleteDeployment(deps(), 'intruder', created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(replaceDeploymentModel(deps(), 'intruder', created.id, model.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await listDeployments(deps(), 'intruder', { offset: 0, limit: 10 })).totalCount).toBe(0);
  });

  it('lists with search and order, and refuses an unknown order', async () => {
    const owner = newUser();
    const model = await registerModel(deps(), owner, binaryModel());
    for (const label of ['b churn', 'A churn', 'fraud']) {
      await createDeployment(deps(), owner, { modelPackageId: model.id, label });
    }

    const found = await listDeployments(deps(), owner, {
      offset: 0,
      limit: 10,
      search: 'Churn',
      orderBy: 'label',
    });

    expect(found.items.map((d) => d.label)).toEqual(['A churn', 'b churn']);
    expect(await fieldsOf(listDeployments(deps(), owner, { offset: 0, limit: 10, orderBy: 'size' }))).toEqual(
      ['orderBy'],
    );
  });

  it('updates label and description, stamping the time and bumping the version', async () => {
    const owner = newUser();
    const model = await registerModel(deps(), owner, binaryModel());
    const created = await createDeployment(deps(), owner, {
      modelPackageId: model.id,
      label: 'old',
      description: 'first',
    });

    const updated = await updateDeployment(deps(), owner, created.id, { label: 'new', description: null });

    expect(updated).toMatchObject({ label: 'new', description: null, version: 2, created: created.created });
    expect(updated.updated > created.updated).toBe(true);
    expect(await fieldsOf(updateDeployment(deps(), owner, created.id, { label: '' }))).toEqual(['label']);
  });

  it('refuses to delete a deployment with a queued job, and deletes it once the job ended', async () => {
    const owner = newUser();
    const model = await registerModel(deps(), owner, binaryModel());
    const created = await createDeployment(deps(), owner, { modelPackageId: model.id, label: 'busy' });
    const job = await queuedJob(owner, created.id, model.id);

    await expect(deleteDeployment(deps(), owner, created.id)).rejects.toBeInstanceOf(ConflictError);
    await deps().jobs.transition(job.id, ['INITIALIZING'], 'ABORTED');
    await deleteDeployment(deps(), owner, created.id);

    await expect(getDeployment(deps(), owner, created.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('replacing the model', () => {
  it('switches to a package with the same target, leaving jobs pinned to the old one', async () => {
    const owner = newUser();
    const first = await registerModel(deps(), owner, binaryModel(1));
    const second = await registerModel(deps(), owner, binaryModel(2));
    const created = await createDeployment(deps(), owner, { modelPackageId: first.id, label: 'live' });
    const job = await queuedJob(owner, created.id, first.id);

    const replaced = await replaceDeploymentModel(deps(), owner, created.id, second.id);

    expect(replaced).toMatchObject({ modelPackageId: second.id, version: 2 });
    expect(await deps().jobs.get(owner, job.id)).toEqual(job);
  });

  it('refuses a package with other class labels or target type, naming both models', async () => {
    const owner = newUser();
    const binary = await registerModel(deps(), owner, binaryModel());
    const multiclass = await registerModel(deps(), owner, multiclassModel());
    const regression = await registerModel(deps(), owner, regressionModel());
    const created = await createDeployment(deps(), owner, { modelPackageId: binary.id, label: 'live' });

    const toMulticlass = replaceDeploymentModel(deps(), owner, created.id, multiclass.id);
    await expect(toMulticlass).rejects.toThrow(
      `model package ${multiclass.id} predicts Multiclass ["red", "green", "blue"], but the deployment's current model ${binary.id} predicts Binary ["no", "yes"]`,
    );
    expect(await fieldsOf(toMulticlass)).toEqual(['modelId']);
    await expect(replaceDeploymentModel(deps(), owner, created.id, regression.id)).rejects.toThrow(
      'predicts Regression',
    );
    expect((await getDeployment(deps(), owner, created.id)).modelPackageId).toBe(binary.id);
  });

  it("refuses another owner's package and one that is not READY", async () => {
    const owner = newUser();
    const model = await registerModel(deps(), owner, binaryModel());
    const foreign = await registerModel(deps(), newUser(), binaryModel());
    const { record: pending } = await startModelUpload(deps(), owner, { name: 'pending' });
    const created = await createDeployment(deps(), owner, { modelPackageId: model.id, label: 'live' });

    await expect(replaceDeploymentModel(deps(), owner, created.id, foreign.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await fieldsOf(replaceDeploymentModel(deps(), owner, created.id, pending.id))).toEqual([
      'modelId',
    ]);
  });
});
