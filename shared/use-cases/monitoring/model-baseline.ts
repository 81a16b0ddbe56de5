/** What monitoring reads from a model package: its target and its training baseline. */
import { NotFoundError } from '../../domain/errors.js';
import type { ModelPackageRecord, ModelSummary } from '../../domain/model-package.js';
import { type MonitoringBaseline, MonitoringBaselineSchema } from '../../domain/monitoring/baseline.js';
import type { Deps } from '../deps.js';

export interface MonitoredModel {
  readonly id: string;
  readonly summary: ModelSummary;
  /** Null when the package was uploaded without `monitoringBaseline`. */
  readonly baseline: MonitoringBaseline | null;
}

/**
 * The model package `modelId` (READY, so it has a summary); with `ownerId`, only when that owner has it (a
 * `modelId` a caller names). Throws NotFoundError.
 */
export async function monitoredModel(deps: Deps, modelId: string, ownerId?: string): Promise<MonitoredModel> {
  const record =
    ownerId === undefined
      ? await deps.modelPackages.getById(modelId)
      : await deps.modelPackages.get(ownerId, modelId);
  if (!record?.summary) throw new NotFoundError('model', modelId);
  return { id: record.id, summary: record.summary, baseline: baselineOf(record) };
}

/** The package's `monitoringBaseline`, or null (also for a missing package: scoring does not depend on it). */
export function baselineOf(record: ModelPackageRecord | null): MonitoringBaseline | null {
  const raw = (record?.manifest as { monitoringBaseline?: unknown } | null | undefined)?.monitoringBaseline;
  // The manifest was validated at upload; parsing again applies the schema's defaults.
  return raw ? MonitoringBaselineSchema.parse(raw) : null;
}
