/** A deployment's monitoring settings (`deployments/{id}/settings/`). */
import {
  defaultMonitoringSettings,
  type MonitoringSettings,
  MonitoringSettingsPatchSchema,
  patchSettings,
} from '../../domain/monitoring/settings.js';
import type { MonitoringStore } from '../../ports/monitoring-store.js';
import { getDeployment } from '../deployments/query-deployments.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';

/** The monitoring store; every real wiring has one (only job harnesses leave it out). */
export function monitoringStore(deps: Deps): MonitoringStore {
  if (!deps.monitoring) throw new Error('monitoring is not wired into these Deps');
  return deps.monitoring;
}

/** The caller's deployment's settings. Throws NotFoundError. */
export async function getMonitoringSettings(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
): Promise<MonitoringSettings> {
  await getDeployment(deps, ownerId, deploymentId);
  return (await monitoringStore(deps).getSettings(deploymentId)) ?? defaultMonitoringSettings();
}

/** Applies a settings PATCH; ValidationError names a bad field, NotFoundError an unknown deployment. */
export async function updateMonitoringSettings(
  deps: Deps,
  ownerId: string,
  deploymentId: string,
  body: unknown,
): Promise<MonitoringSettings> {
  const patch = parseRequest(MonitoringSettingsPatchSchema, body);
  const current = await getMonitoringSettings(deps, ownerId, deploymentId);
  const next = patchSettings(current, patch);
  await monitoringStore(deps).putSettings(deploymentId, next);
  return next;
}
