import type { JobRecord } from '../shared/domain/job.js';
import { apiHandler } from '../shared/http/api-handler.js';
import type { ApiRequest } from '../shared/http/api-request.js';
import { jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { json } from '../shared/http/api-response.js';
import { batchPredictionStatus } from '../shared/http/presenters/batch-prediction-status.js';
import type { Route } from '../shared/http/router.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { runDefinitionNow } from '../shared/use-cases/job-definitions/run-definition.js';
import { abortJob } from '../shared/use-cases/jobs/abort-job.js';
import { createJob, createJobFromExisting } from '../shared/use-cases/jobs/create-job.js';
import { getJob, listJobs } from '../shared/use-cases/jobs/query-jobs.js';
import { queuePositions } from '../shared/use-cases/jobs/queue-positions.js';
import { signedUploadUrl } from '../shared/use-cases/jobs/upload-url.js';
import { getDeps, logUnexpected } from './composition.js';

function present(
  deps: Deps,
  req: ApiRequest,
  job: JobRecord,
  positions: ReadonlyMap<string, number> = new Map(),
): Record<string, unknown> {
  const now = deps.clock.now();
  return batchPredictionStatus(job, {
    baseUrl: req.baseUrl,
    uploadUrl: signedUploadUrl(deps.config, job.id, now),
    now,
    queuePosition: positions.get(job.id) ?? null,
  });
}

async function created(req: ApiRequest, deps: Deps, job: JobRecord) {
  return json(202, present(deps, req, job), { Location: `${req.baseUrl}/batchPredictions/${job.id}/` });
}

/** DataRobot's batch prediction job routes. */
export const routes: Route[] = [
  {
    method: 'POST',
    path: '/batchPredictions',
    handle: async (req) => {
      const deps = await getDeps();
      return created(req, deps, await createJob(deps, req.caller.ownerId, jsonBody(req)));
    },
  },
  {
    method: 'POST',
    path: '/batchPredictions/fromExisting',
    handle: async (req) => {
      const deps = await getDeps();
      return created(req, deps, await createJobFromExisting(deps, req.caller.ownerId, jsonBody(req)));
    },
  },
  {
    method: 'POST',
    path: '/batchPredictions/fromJobDefinition',
    handle: async (req) => {
      const deps = await getDeps();
      return created(req, deps, await runDefinitionNow(deps, req.caller.ownerId, jsonBody(req)));
    },
  },
  {
    method: 'GET',
    path: '/batchPredictions',
    handle: async (req) => {
      const deps = await getDeps();
      const page = pageOf(req);
      const result = await listJobs(deps, req.caller.ownerId, { statuses: req.query.status ?? [], ...page });
      const positions = await queuePositions(deps, result.jobs);
      const items = result.jobs.map((job) => present(deps, req, job, positions));
      return json(200, pageEnvelope(req, items, result.totalCount, page));
    },
  },
  {
    method: 'GET',
    path: '/batchPredictions/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      const job = await getJob(deps, req.caller.ownerId, req.params.id as string);
      return json(200, present(deps, req, job, await queuePositions(deps, [job])));
    },
  },
  {
    method: 'DELETE',
    path: '/batchPredictions/{id}',
    handle: async (req) => {
      const deps = await getDeps();
      await abortJob(deps, req.caller.ownerId, req.params.id as string);
      return json(202, {});
    },
  },
];

export const handler = apiHandler(routes, getDeps, logUnexpected);
