/**
 * Deployment monitoring state: the monitoring settings and the hourly pre-aggregated buckets (never raw rows),
 * so a year of daily jobs is a few hundred small items to read.
 */
import type { MonitoringBucket } from '../domain/monitoring/bucket.js';
import type { MonitoringSettings } from '../domain/monitoring/settings.js';

export interface MonitoringStore {
  /** The deployment's settings, or null when never set. */
  getSettings(deploymentId: string): Promise<MonitoringSettings | null>;
  putSettings(deploymentId: string, settings: MonitoringSettings): Promise<void>;
  /**
   * Adds `delta` into the deployment's bucket for (delta.hour, delta.modelId), at most once per `changeId`
   * (a retried finalize or actuals batch is not counted twice). False when `changeId` was applied before.
   */
  addToBucket(deploymentId: string, changeId: string, delta: MonitoringBucket): Promise<boolean>;
  /** The buckets whose hour is in [fromHour, toHour), oldest first, every model. */
  buckets(deploymentId: string, fromHour: string, toHour: string): Promise<MonitoringBucket[]>;
}
