import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ApiClient, Deployment } from '../api-client.js';
import { defaultManifestPath } from './score-local.js';

export interface CreateDeploymentArgs {
  model: string;
  manifest?: string;
  label?: string;
}

/**
 * Registers a local ONNX model (with its manifest: `--manifest`, else `m.json` beside `m.onnx` when present)
 * and deploys it. The label defaults to the model's file name.
 */
export async function createDeployment(api: ApiClient, args: CreateDeploymentArgs): Promise<Deployment> {
  const manifestPath = args.manifest ?? defaultManifestPath(args.model);
  const manifest =
    args.manifest || existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : undefined;
  const name = basename(args.model).replace(/\.onnx$/i, '');
  const modelPackage = await api.registerOnnxModel(name, manifest, readFileSync(args.model));
  return api.createDeployment(modelPackage.id, args.label ?? name);
}

/** Every deployment the key can see. */
export function listDeployments(api: ApiClient): Promise<Deployment[]> {
  return api.listAll<Deployment>('deployments/');
}
