/**
 * Deployment monitoring routes (DataRobot's): settings with the association id, actuals, service stats,
 * feature and target drift, accuracy. Included in the deployments module's route table.
 */
import { type ApiRequest, jsonBody, pageEnvelope, pageOf } from '../shared/http/api-request.js';
import { json } from '../shared/http/api-response.js';
import { deploymentSettingsDocument } from '../shared/http/presenters/resources.js';
import type { Route } from '../shared/http/router.js';
import type { Deps } from '../shared/use-cases/deps.js';
import {
  accuracy,
  accuracyOverTime,
  featureDrift,
  type MonitoringQuery,
  serviceStats,
  serviceStatsOverTime,
  targetDrift,
} from '../shared/use-cases/monitoring/monitoring-queries.js';
import { getMonitoringSettings, updateMonitoringSettings } from '../shared/use-cases/monitoring/settings.js';
import { submitActuals } from '../shared/use-cases/monitoring/submit-actuals.js';
import { getDeps } from './composition.js';

/**
 * Changes here finish before the response, so the status resource a client polls (DataRobot's asynchronous
 * pattern) is already done: it answers 303 to the deployment, whose id is the status id.
 */
export function finishedStatus(req: ApiRequest, deploymentId: string) {
  return json(202, {}, { Location: `${req.baseUrl}/status/${deploymentId}/` });
}

function queryOf(req: ApiRequest): MonitoringQuery & { bucketSize?: string | undefined } {
  const one = (name: string): string | undefined => req.query[name]?.[0];
  return {
    start: one('start'),
    end: one('end'),
    modelId: one('modelId'),
    metric: one('metric'),
    bucketSize: one('bucketSize'),
  };
}

const deploymentId = (req: ApiRequest): string => req.params.id as string;

type MonitoringReport = (
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  query: ReturnType<typeof queryOf>,
) => Promise<unknown>;

/** `GET /deployments/{id}/<name>`: the report for the caller's deployment over the query's window, as is. */
function reportRoute(name: string, report: MonitoringReport): Route {
  return {
    method: 'GET',
    path: `/deployments/{id}/${name}`,
    handle: async (req) =>
      json(200, await report(await getDeps(), req.caller.ownerId, deploymentId(req), queryOf(req))),
  };
}

export const monitoringRoutes: Route[] = [
  {
    method: 'GET',
    path: '/deployments/{id}/settings',
    handle: async (req) => {
      const settings = await getMonitoringSettings(await getDeps(), req.caller.ownerId, deploymentId(req));
      return json(200, { ...deploymentSettingsDocument(), ...settings });
    },
  },
  {
    method: 'PATCH',
    path: '/deployments/{id}/settings',
    handle: async (req) => {
      await updateMonitoringSettings(await getDeps(), req.caller.ownerId, deploymentId(req), jsonBody(req));
      return finishedStatus(req, deploymentId(req));
    },
  },
  {
    method: 'POST',
    path: '/deployments/{id}/actuals/fromJSON',
    handle: async (req) => {
      await submitActuals(await getDeps(), req.caller.ownerId, deploymentId(req), jsonBody(req));
      return finishedStatus(req, deploymentId(req));
    },
  },
  reportRoute('serviceStats', serviceStats),
  reportRoute('serviceStatsOverTime', serviceStatsOverTime),
  reportRoute('accuracyOverTime', accuracyOverTime),
  {
    method: 'GET',
    path: '/deployments/{id}/featureDrift',
    handle: async (req) => {
      const { items, ...rest } = await featureDrift(
        await getDeps(),
        req.caller.ownerId,
        deploymentId(req),
        queryOf(req),
      );
      const page = pageOf(req);
      const slice = items.slice(page.offset, page.offset + page.limit);
      return json(200, { ...rest, ...pageEnvelope(req, slice, items.length, page) });
    },
  },
  reportRoute('targetDrift', targetDrift),
  reportRoute('accuracy', accuracy),
];
