/** `DELETE projects/{id}/`: the project and everything stored for it. */
import type { Deps } from '../deps.js';
import { cancelProjectJob } from '../predict-jobs/project-jobs.js';
import { projectPrefix } from './project-keys.js';
import { getProject } from './projects.js';

/**
 * Deletes the project: first cancels its unfinished jobs, so that none keeps scoring with a model package that
 * may be deleted once no project uses it, or writes a result under the removed files; then its prediction
 * datasets, the record and its stored files. Its models' packages stay.
 */
export async function deleteProject(deps: Deps, ownerId: string, projectId: string): Promise<void> {
  const project = await getProject(deps, ownerId, projectId);
  for (const job of await deps.projects.listJobs(ownerId, project.id)) await cancelProjectJob(deps, job);
  for (const dataset of await deps.projects.listDatasets(ownerId, project.id)) {
    await deps.projects.deleteDataset(ownerId, dataset.id);
  }
  await deps.projects.delete(ownerId, project.id);
  await deps.objects.deletePrefix(projectPrefix(project.id));
}
