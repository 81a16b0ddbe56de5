import { expect } from 'vitest';
import type { TestApi } from './local-stack.js';
import { treeEnsembleClassifier } from './onnx-factory.js';

/** A small binary classifier on columns a and b, for tests that need a deployment to score with. */
export const CLASSIFIER = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 4, trees: 4, depth: 3 },
  zipMap: true,
  classLabels: [0, 1],
  input: { kind: 'columns', names: ['a', 'b'] },
});

/** Registers {@link CLASSIFIER} and deploys it through the API; returns the deployment id. */
export async function deployClassifier(api: TestApi): Promise<string> {
  const started = await api.call('POST', 'modelPackages/fromOnnx/', {
    name: 'trees',
    manifest: { targetName: 'churn' },
  });
  expect(started.status).toBe(201);
  const upload = await fetch((started.body.links as { upload: string }).upload, {
    method: 'PUT',
    body: CLASSIFIER,
  });
  expect(upload.status).toBe(200);
  expect((await api.call('POST', `modelPackages/${started.body.id}/finalize/`)).status).toBe(200);
  const deployment = await api.call('POST', 'deployments/fromModelPackage/', {
    modelPackageId: started.body.id,
    label: 'trees',
  });
  expect(deployment.status).toBe(201);
  return deployment.body.id as string;
}

/** Polls a job until `done` holds for its status document (at most ~30 s). */
export async function waitForJob(
  api: TestApi,
  jobId: string,
  done: (body: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const status = await api.call('GET', `batchPredictions/${jobId}/`);
    expect(status.status).toBe(200);
    if (done(status.body)) return status.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not reach the expected state`);
}
