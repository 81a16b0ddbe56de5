import type { Readable } from 'node:stream';
import { ModelError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { ModelPackageRecord, ModelSummary } from '../../domain/model-package.js';
import { checkExplanationBackground } from '../../engine/explain/background.js';
import { loadModel } from '../../engine/model/load-model.js';
import type { Deps } from '../deps.js';
import { packageManifest, sampleUploadedTrainingData } from './explanation-data.js';
import { summarizeModel } from './model-summary.js';
import { getModelPackage } from './query-model-packages.js';

/** Protobuf cannot encode a message of 2 GiB or more, so no ONNX file without external data is larger. */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

/**
 * Checks the uploaded ONNX file against its manifest by loading it, and records what it predicts and reads:
 * READY on success. A model that cannot be loaded, or that contradicts its manifest, leaves the package
 * FAILED with the reason in statusDetails, and the error is rethrown for the caller to report. A package
 * that is already READY is returned as it is; a FAILED one may be finalized again after a new upload.
 */
export async function finalizeModelUpload(
  deps: Deps,
  ownerId: string,
  id: string,
): Promise<ModelPackageRecord> {
  const record = await getModelPackage(deps, ownerId, id);
  if (record.status === 'READY') return record;
  const stored = await deps.objects.head(record.objectKey);
  if (!stored) {
    throw new NotFoundError(
      'model file',
      id,
      `model package ${id} has no ONNX file yet: upload the ONNX file to links.upload first`,
    );
  }
  try {
    if (stored.size > MAX_MODEL_BYTES) {
      throw new ModelError(
        `the ONNX file is ${stored.size} bytes; at most ${MAX_MODEL_BYTES} bytes are supported`,
      );
    }
    const bytes = await readAll(await deps.objects.get(record.objectKey));
    const explanationDataKey = await sampleUploadedTrainingData(deps, record);
    const manifest = await packageManifest(deps, { manifest: record.manifest, explanationDataKey });
    const summary = await summarizeModelFile(bytes, manifest);
    return await deps.modelPackages.update(ownerId, id, {
      status: 'READY',
      statusDetails: 'Model loaded and validated',
      sizeBytes: bytes.byteLength,
      summary,
      ...(explanationDataKey ? { explanationDataKey } : {}),
    });
  } catch (error) {
    if (error instanceof ModelError || error instanceof ValidationError) {
      await deps.modelPackages.update(ownerId, id, { status: 'FAILED', statusDetails: error.message });
    }
    throw error;
  }
}

/**
 * Loads the model once (on this thread: no worker to start for a one-off check) to validate and describe it,
 * including its explanation background: a row the model cannot read fails the upload, not a later job.
 */
async function summarizeModelFile(bytes: Uint8Array, manifest: unknown): Promise<ModelSummary> {
  const model = await loadModel(bytes, manifest, { inference: 'in-thread' });
  try {
    await checkExplanationBackground(model);
    return summarizeModel(model.description);
  } finally {
    await model.dispose();
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
