/**
 * Monitoring inside the chunk step: builds the chunk's monitor (unless the job skips drift tracking) and stores
 * what it gathered next to the chunk's part, keyed by job and chunk, so a redelivered chunk overwrites the same
 * objects instead of counting twice.
 */
import type { JobRecord } from '../../domain/job.js';
import { parseJobSpec } from '../../domain/job-spec.js';
import type { AssociatedPredictions } from '../../domain/monitoring/associations.js';
import type { MonitoringBaseline } from '../../domain/monitoring/baseline.js';
import { hourOf } from '../../domain/monitoring/bucket.js';
import { defaultMonitoringSettings, type MonitoringSettings } from '../../domain/monitoring/settings.js';
import { ChunkMonitor } from '../../engine/monitoring/chunk-monitor.js';
import type { ScoringOptions } from '../../engine/scoring/scoring-options.js';
import type { Deps } from '../deps.js';
import { baselineOf } from './model-baseline.js';
import { associationsKey, chunkAggregateKey, jsonBytes } from './monitoring-keys.js';

/** A chunk's monitoring: hook it into the scoring options, save it once the chunk is scored. */
export interface ChunkMonitoringRun {
  scoring(options: ScoringOptions): ScoringOptions;
  save(): Promise<void>;
}

const UNMONITORED: ChunkMonitoringRun = { scoring: (options) => options, save: async () => {} };

/** The chunk's monitoring, or a pass-through when the job has skipDriftTracking (or nothing to monitor with). */
export async function monitorChunk(deps: Deps, job: JobRecord, index: number): Promise<ChunkMonitoringRun> {
  const store = deps.monitoring;
  if (!store || parseJobSpec(job.spec).skipDriftTracking) return UNMONITORED;
  const [settings, modelPackage] = await Promise.all([
    store.getSettings(job.deploymentId),
    deps.modelPackages.getById(job.modelVersionId),
  ]);
  const { associationId, featureDrift, targetDrift } = settings ?? defaultMonitoringSettings();
  const monitor = new ChunkMonitor(
    {
      baseline: enabledBaseline(baselineOf(modelPackage), { featureDrift, targetDrift }),
      associationColumn: associationId.columnNames[0] ?? null,
      associationRequired: associationId.requiredInPredictionRequests,
    },
    job.modelVersionId,
    hourOf(deps.clock.now()),
  );
  return {
    scoring: (options) => ({ ...options, observe: monitor.observe }),
    save: async () => {
      const { bucket, associations } = monitor.result();
      const writes = [deps.objects.put(chunkAggregateKey(job.id, index), jsonBytes(bucket))];
      if (Object.keys(associations).length > 0) {
        const stored: AssociatedPredictions = {
          modelId: job.modelVersionId,
          hour: bucket.hour,
          predictions: associations,
          actuals: {},
        };
        writes.push(deps.objects.put(associationsKey(job.deploymentId, job.id, index), jsonBytes(stored)));
      }
      await Promise.all(writes);
    },
  };
}

/** The baseline parts the deployment's drift settings leave on. */
function enabledBaseline(
  baseline: MonitoringBaseline | null,
  settings: Pick<MonitoringSettings, 'featureDrift' | 'targetDrift'>,
): MonitoringBaseline | null {
  if (baseline === null) return null;
  return {
    ...baseline,
    features: settings.featureDrift.enabled ? baseline.features : {},
    prediction: settings.targetDrift.enabled ? baseline.prediction : undefined,
  };
}
