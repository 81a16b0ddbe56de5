/**
 * Projects and their models (Batchline's extension of DataRobot's modeling API: a project is created from a
 * READY model package, and each model is a model package sharing the project's target).
 */
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { ModelPackageRecord, ModelSummary } from '../../domain/model-package.js';
import { AddModelSchema, CreateProjectSchema, type ProjectRecord } from '../../domain/project.js';
import { readyModelPackage } from '../deployments/ready-model-package.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';

/** A model of a project: its package with the summary a READY package has. */
export type ProjectModel = ModelPackageRecord & { summary: ModelSummary };

/** Creates a project whose first model is the caller's READY model package `modelPackageId`. */
export async function createProject(deps: Deps, ownerId: string, body: unknown): Promise<ProjectRecord> {
  const { modelPackageId, projectName } = parseRequest(CreateProjectSchema, body);
  const model = await readyModelPackage(deps, ownerId, modelPackageId, 'modelPackageId');
  const record: ProjectRecord = {
    id: deps.newId(),
    ownerId,
    name: projectName ?? model.name,
    target: {
      name: model.summary.targetName,
      type: model.summary.targetType,
      positiveClass: model.summary.positiveClass,
    },
    modelIds: [model.id],
    trainingData: null,
    created: deps.clock.now().toISOString(),
  };
  await deps.projects.create(record);
  return record;
}

/** The caller's project; NotFoundError otherwise. */
export async function getProject(deps: Deps, ownerId: string, projectId: string): Promise<ProjectRecord> {
  const project = await deps.projects.get(ownerId, projectId);
  if (!project) throw new NotFoundError('project', projectId);
  return project;
}

/** The caller's projects, newest first. */
export function listProjects(deps: Deps, ownerId: string): Promise<ProjectRecord[]> {
  return deps.projects.list(ownerId);
}

/** The owner's projects that have model package `modelPackageId` as a model. */
export async function projectsUsing(
  deps: Deps,
  ownerId: string,
  modelPackageId: string,
): Promise<ProjectRecord[]> {
  return (await deps.projects.list(ownerId)).filter((p) => p.modelIds.includes(modelPackageId));
}

/**
 * Adds a READY model package as another model of the project; it must predict the same target (name and type),
 * so that every model scores the project's datasets alike. Adding a model twice is a no-op.
 */
export async function addModel(
  deps: Deps,
  ownerId: string,
  projectId: string,
  body: unknown,
): Promise<ProjectModel> {
  const { modelPackageId } = parseRequest(AddModelSchema, body);
  const project = await getProject(deps, ownerId, projectId);
  const model = await readyModelPackage(deps, ownerId, modelPackageId, 'modelPackageId');
  const { targetName, targetType } = model.summary;
  if (targetName !== project.target.name || targetType !== project.target.type) {
    throw new ValidationError([
      {
        field: 'modelPackageId',
        message: `the model predicts ${targetType} target "${targetName}", but project ${project.id} predicts ${project.target.type} target "${project.target.name}"`,
      },
    ]);
  }
  if (!project.modelIds.includes(model.id)) {
    await deps.projects.update(ownerId, project.id, { modelIds: [...project.modelIds, model.id] });
  }
  return model;
}

/** The project's models, in the order they were added. A model whose package is gone or not READY is skipped. */
export async function listModels(deps: Deps, project: ProjectRecord): Promise<ProjectModel[]> {
  const models = await Promise.all(project.modelIds.map((id) => modelOf(deps, project, id)));
  return models.filter((m): m is ProjectModel => m !== null);
}

/** Model `modelId` of the project; NotFoundError when it is not one, or its package is gone or not READY. */
export async function requireModel(
  deps: Deps,
  project: ProjectRecord,
  modelId: string,
): Promise<ProjectModel> {
  const model = project.modelIds.includes(modelId) ? await modelOf(deps, project, modelId) : null;
  if (!model)
    throw new NotFoundError('model', modelId, `model ${modelId} not found in project ${project.id}`);
  return model;
}

async function modelOf(deps: Deps, project: ProjectRecord, id: string): Promise<ProjectModel | null> {
  const record = await deps.modelPackages.get(project.ownerId, id);
  if (record?.status !== 'READY' || !record.summary) return null;
  return { ...record, summary: record.summary };
}
