import type { ApiKeyRecord } from '../../domain/api-key.js';
import type { DeploymentRecord } from '../../domain/deployment.js';
import type { ModelPackageRecord } from '../../domain/model-package.js';

/**
 * A deployment as DataRobot returns it (protocol predict-and-monitoring §3.1): the client reads `model.id` and
 * `model.projectId` when replacing models, and health blocks are always present.
 */
export function deploymentDocument(
  d: DeploymentRecord,
  pkg: ModelPackageRecord | null,
): Record<string, unknown> {
  const unknownHealth = { status: 'unknown', message: '', startDate: null, endDate: null };
  return {
    id: d.id,
    label: d.label,
    description: d.description,
    status: 'active',
    model: {
      id: d.modelPackageId,
      type: 'ONNX',
      targetName: pkg?.summary?.targetName ?? null,
      targetType: pkg?.summary?.targetType ?? null,
      projectId: null,
    },
    modelPackage: { id: d.modelPackageId, name: pkg?.name ?? null },
    defaultPredictionServer: null,
    capabilities: { supportsModelReplacement: true, supportsDriftTracking: false },
    serviceHealth: unknownHealth,
    modelHealth: unknownHealth,
    accuracyHealth: unknownHealth,
    permissions: ['CAN_SCORE', 'CAN_EDIT_DEPLOYMENT', 'CAN_DELETE_DEPLOYMENT'],
    createdAt: d.created,
    updatedAt: d.updated,
  };
}

/** Deployment settings as the DataRobot client reads them; predictionIntervals must be present (§3.2). */
export function deploymentSettingsDocument(): Record<string, unknown> {
  return {
    associationId: { columnNames: [], requiredInPredictionRequests: false },
    predictionIntervals: { enabled: false, percentiles: [] },
    targetDrift: { enabled: false },
    featureDrift: { enabled: false },
    predictionsDataCollection: { enabled: false },
    predictionWarning: { enabled: false },
  };
}

/** A model package (our extension): what was uploaded and what the engine made of it. */
export function modelPackageDocument(p: ModelPackageRecord, uploadUrl?: string): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    status: p.status,
    statusDetails: p.statusDetails,
    sizeBytes: p.sizeBytes,
    created: p.created,
    manifest: p.manifest,
    target: p.summary
      ? {
          name: p.summary.targetName,
          type: p.summary.targetType,
          classLabels: p.summary.classLabels,
          positiveClass: p.summary.positiveClass,
          predictionThreshold: p.summary.predictionThreshold,
        }
      : null,
    inputs: p.summary?.inputs ?? null,
    ...(uploadUrl ? { links: { upload: uploadUrl } } : {}),
  };
}

/** An API key without its secret (only its first characters, to tell keys apart). */
export function apiKeyDocument(k: ApiKeyRecord): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    user: k.ownerId,
    admin: k.admin,
    created: k.created,
    revoked: k.revoked,
  };
}
