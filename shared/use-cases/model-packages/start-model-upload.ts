import { z } from 'zod';
import { type ModelPackageRecord, modelObjectKey } from '../../domain/model-package.js';
import { parseManifest } from '../../engine/model/manifest.js';
import type { Deps } from '../deps.js';
import { parseRequest } from '../parse-request.js';
import { storeManifestBackground } from './explanation-data.js';

/** How long the presigned upload URL stays valid. */
export const MODEL_UPLOAD_URL_SECONDS = 3600;

export const StartModelUploadSchema = z.object({
  name: z.string().min(1).max(255).describe('A name for the model package.'),
  manifest: z
    .unknown()
    .optional()
    .describe('The model manifest (target, class labels, input columns); only what the graph cannot tell.'),
});
export type StartModelUploadInput = z.input<typeof StartModelUploadSchema>;

export interface StartedModelUpload {
  readonly record: ModelPackageRecord;
  /** Presigned PUT URL for the ONNX bytes, straight to object storage. */
  readonly uploadUrl: string;
}

/**
 * Registers a model package awaiting its ONNX file and returns where to PUT the file. The manifest is
 * validated now, so a typo fails before a large upload rather than after it.
 */
export async function startModelUpload(
  deps: Deps,
  ownerId: string,
  input: StartModelUploadInput,
): Promise<StartedModelUpload> {
  const { name, manifest } = parseRequest(StartModelUploadSchema, input);
  const id = deps.newId();
  const stored = await storeManifestBackground(deps, id, parseManifest(manifest));
  const record: ModelPackageRecord = {
    id,
    ownerId,
    name,
    status: 'AWAITING_UPLOAD',
    statusDetails: 'Waiting for the ONNX file: PUT it to links.upload, then finalize the model package',
    manifest: stored.manifest,
    objectKey: modelObjectKey(id),
    sizeBytes: null,
    summary: null,
    created: deps.clock.now().toISOString(),
    ...(stored.explanationDataKey ? { explanationDataKey: stored.explanationDataKey } : {}),
  };
  await deps.modelPackages.create(record);
  const uploadUrl = await deps.objects.presignPut(record.objectKey, MODEL_UPLOAD_URL_SECONDS);
  return { record, uploadUrl };
}
