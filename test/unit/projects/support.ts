/** Shared steps of the project tests: registering models, creating projects, uploading files, polling jobs. */
import { expect } from 'vitest';
import type { ApiAnswer, TestApi } from '../../support/local-stack.js';
import { createRng, treeEnsembleClassifier, treeEnsembleRegressor } from '../../support/onnx-factory.js';

export const classifier = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 7, trees: 8, depth: 3 },
  zipMap: true,
  classLabels: [0, 1],
  input: { kind: 'columns', names: ['a', 'b'] },
});

export const regressor = treeEnsembleRegressor({
  features: 2,
  trees: { seed: 9, trees: 6, depth: 3 },
  input: { kind: 'columns', names: ['a', 'b'] },
});

/** `rows` rows of id, a, b (and `extra` columns, each a function of the row number). */
export function dataset(
  rows: number,
  seed: number,
  extra: Record<string, (row: number) => string> = {},
): string {
  const rng = createRng(seed);
  const names = Object.keys(extra);
  const lines = [['id', 'a', 'b', ...names].join(',')];
  for (let i = 0; i < rows; i++) {
    const values = names.map((n) => (extra[n] as (row: number) => string)(i));
    lines.push([String(i), rng.normal().toFixed(5), rng.normal().toFixed(5), ...values].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Registers a READY model package from ONNX bytes and returns its id. */
export async function registerModel(api: TestApi, model: Uint8Array, targetName: string): Promise<string> {
  const started = await api.call('POST', 'modelPackages/fromOnnx/', {
    name: `${targetName} model`,
    manifest: { targetName },
  });
  expect(started.status).toBe(201);
  const upload = await fetch((started.body.links as { upload: string }).upload, {
    method: 'PUT',
    body: model,
  });
  expect(upload.status).toBe(200);
  const finalized = await api.call('POST', `modelPackages/${started.body.id}/finalize/`);
  expect(finalized.body.status).toBe('READY');
  return started.body.id as string;
}

/** Creates a project from a model package and returns its id. */
export async function createProject(
  api: TestApi,
  modelPackageId: string,
  projectName = 'p',
): Promise<string> {
  const created = await api.call('POST', 'projects/fromModelPackage/', { modelPackageId, projectName });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** POSTs a multipart form the way the DataRobot client does (a `file` part plus text parts). */
export async function postForm(
  api: TestApi,
  path: string,
  file: { name: string; content: string } | null,
  fields: Record<string, string> = {},
): Promise<ApiAnswer> {
  const form = new FormData();
  if (file) form.append('file', new Blob([file.content], { type: 'text/csv' }), file.name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${api.endpoint}/${path}`, {
    method: 'POST',
    headers: { Authorization: `Token ${api.key}` },
    body: form,
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {}, text };
}

/** Uploads a prediction dataset through the status pattern (202 → status → 303 → dataset) and returns its id. */
export async function uploadDataset(api: TestApi, projectId: string, content: string, name = 'predict.csv') {
  const posted = await postForm(api, `projects/${projectId}/predictionDatasets/fileUploads/`, {
    name,
    content,
  });
  expect(posted.status).toBe(202);
  const status = await api.call('GET', posted.headers.get('location') as string);
  expect(status.status).toBe(303);
  const location = status.headers.get('location') as string;
  expect(location).toMatch(
    new RegExp(`^${api.endpoint}/projects/${projectId}/predictionDatasets/[0-9a-f]{24}/$`),
  );
  return location.split('/').at(-2) as string;
}

/** Polls a job URL (as the client's waiter does) until it answers 303 or reports a failure. */
export async function settle(api: TestApi, jobUrl: string): Promise<ApiAnswer> {
  for (let i = 0; i < 400; i++) {
    const res = await api.call('GET', jobUrl);
    if (res.status === 303 || ['error', 'ABORTED'].includes(res.body.status as string)) return res;
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${jobUrl} did not finish`);
}
