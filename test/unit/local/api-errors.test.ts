import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../../support/local-stack.js';
import { createRng } from '../../support/onnx-factory.js';

const ID = '0123456789abcdef01234567';
const ROUTES: Array<[string, string]> = [
  ['POST', 'batchPredictions/'],
  ['GET', 'batchPredictions/'],
  ['GET', `batchPredictions/${ID}/`],
  ['DELETE', `batchPredictions/${ID}/`],
  ['POST', 'batchPredictions/fromExisting/'],
  ['GET', `batchPredictions/${ID}/download/`],
  ['POST', 'deployments/fromModelPackage/'],
  ['POST', 'deployments/fromLearningModel/'],
  ['GET', 'deployments/'],
  ['GET', `deployments/${ID}/`],
  ['PATCH', `deployments/${ID}/`],
  ['DELETE', `deployments/${ID}/`],
  ['PATCH', `deployments/${ID}/model/`],
  ['GET', `deployments/${ID}/settings/`],
  ['PATCH', `deployments/${ID}/settings/`],
  ['GET', `status/${ID}/`],
  ['POST', 'modelPackages/fromOnnx/'],
  ['POST', `modelPackages/${ID}/finalize/`],
  ['GET', 'modelPackages/'],
  ['GET', `modelPackages/${ID}/`],
  ['DELETE', `modelPackages/${ID}/`],
  ['GET', 'apiKeys/'],
  ['POST', 'apiKeys/'],
  ['DELETE', `apiKeys/${ID}/`],
  ['GET', 'externalDataDrivers/'],
  ['GET', `externalDataDrivers/${ID}/`],
  ['GET', 'externalDataStores/'],
  ['POST', 'externalDataStores/'],
  ['GET', `externalDataStores/${ID}/`],
  ['PATCH', `externalDataStores/${ID}/`],
  ['POST', `externalDataStores/${ID}/test/`],
  ['DELETE', `externalDataStores/${ID}/`],
  ['GET', 'openapi.json'],
  ['GET', 'version/'],
];

/** Bodies a careless or hostile client sends: broken JSON, wrong types, huge and deeply nested values. */
function nastyBodies(seed: number): string[] {
  const rng = createRng(seed);
  const big = 'x'.repeat(200_000);
  const values = [
    null,
    true,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER,
    'é',
    big,
    [],
    {},
    [big],
    { nested: { deeper: [1, 'a'] } },
  ];
  const fields = [
    'deploymentId',
    'intakeSettings',
    'outputSettings',
    'csvSettings',
    'numConcurrent',
    'label',
    'modelPackageId',
    'modelId',
    'name',
    'manifest',
    'user',
    'predictionJobId',
    'passthroughColumns',
    'description',
  ];
  const bodies = [
    '{',
    '{"a":',
    'null',
    '[]',
    '"text"',
    '12',
    'true',
    `{"deploymentId":"${big}"}`,
    '['.repeat(5000),
  ];
  for (let i = 0; i < 25; i++) {
    const body: Record<string, unknown> = {};
    for (let k = 0; k < 1 + rng.int(4); k++)
      body[fields[rng.int(fields.length)] as string] = values[rng.int(values.length)];
    bodies.push(JSON.stringify(body));
  }
  return bodies;
}

describe('no route answers 500 to anything a user can send', () => {
  const api = useLocalStack();

  it('answers 401 on every route without a valid key', async () => {
    for (const [method, path] of ROUTES) {
      for (const key of [null, 'bl_not-a-real-key']) {
        const res = await api().call(method, path, undefined, { key });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get('content-type')).toBe('application/json');
      }
    }
  });

  it('answers 4xx with a JSON message to malformed, mistyped and huge bodies on every route', async () => {
    const bodies = nastyBodies(7);
    for (const [method, path] of ROUTES) {
      for (const raw of method === 'GET' ? [''] : method === 'DELETE' ? ['', bodies[0] as string] : bodies) {
        const res = await api().call(method, path, undefined, { raw });
        expect(res.status, `${method} ${path} ${raw.slice(0, 60)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toBe('application/json');
          expect(typeof res.body.message).toBe('string');
          expect([...res.text].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
        }
      }
    }
  }, 120_000);

  it('names the failing fields of an invalid job spec with 422', async () => {
    const res = await api().call('POST', 'batchPredictions/', {
      deploymentId: ID,
      numConcurrent: 'x',
      colour: 1,
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors as object)).toEqual(
      expect.arrayContaining(['numConcurrent', 'colour']),
    );
    const unsupported = await api().call('POST', 'batchPredictions/', {
      deploymentId: ID,
      intakeSettings: { type: 'azure', url: 'https://x/y.csv' },
    });
    expect(unsupported.status).toBe(422);
    expect(unsupported.body.message).toMatch(/not supported yet/);
  });

  it('answers unknown ids 404, unknown paths 404 and wrong methods 405', async () => {
    expect((await api().call('GET', `batchPredictions/${ID}/`)).status).toBe(404);
    expect((await api().call('POST', 'batchPredictions/', { deploymentId: ID })).status).toBe(404);
    expect((await api().call('GET', 'nothingHere/')).status).toBe(404);
    const wrong = await api().call('PUT', 'batchPredictions/');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('POST');
  });

  it('rejects forged, expired or tampered upload URLs', async () => {
    const base = api().endpoint.replace('/api/v2', '');
    for (const path of [
      `/upload/${ID}/9999999999/forged/`,
      `/upload/${ID}/1/abc/`,
      `/upload/${ID}/x/y/part/1`,
    ]) {
      const res = await fetch(`${base}${path}`, { method: 'PUT', body: 'a,b\n1,2\n' });
      expect(res.status).toBe(403);
    }
  });
});
