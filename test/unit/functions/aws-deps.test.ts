import { describe, expect, it } from 'vitest';
import { ensureAdminKey } from '../../../functions/aws-deps.js';
import { lambdaEnv } from '../../../functions/config.js';
import { authenticate } from '../../../shared/use-cases/api-keys/authenticate.js';
import { ADMIN_USER } from '../../../shared/use-cases/api-keys/bootstrap-admin-key.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { InMemoryApiKeys } from './support.js';

/** What a generated Secrets Manager value looks like: 48 letters and digits. */
const DEPLOY_KEY = 'Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk0MnQsTuWxYzAbCdEfGh';

function depsWithKeys(): { deps: Deps; keys: InMemoryApiKeys } {
  const keys = new InMemoryApiKeys();
  let id = 0;
  const deps = {
    apiKeys: keys,
    clock: { now: () => new Date('2025-01-01T00:00:00Z') },
    newId: () => `${++id}`.padStart(24, '0'),
  } as unknown as Deps;
  return { deps, keys };
}

describe('deploy-time admin key (ensureAdminKey)', () => {
  it('stores the key once, as an admin key that authenticates, however many cold starts run it', async () => {
    const { deps, keys } = depsWithKeys();
    await Promise.all([ensureAdminKey(deps, DEPLOY_KEY), ensureAdminKey(deps, DEPLOY_KEY)]);
    await ensureAdminKey(deps, DEPLOY_KEY);

    expect(keys.records.size).toBe(1);
    const caller = await authenticate(deps, `Token ${DEPLOY_KEY}`);
    expect(caller).toMatchObject({ ownerId: ADMIN_USER, admin: true, revoked: false });
  });

  it('leaves a revoked deploy-time key revoked without failing the cold start', async () => {
    const { deps, keys } = depsWithKeys();
    await ensureAdminKey(deps, DEPLOY_KEY);
    const [record] = await keys.list(ADMIN_USER);
    await keys.revoke(ADMIN_USER, record?.id as string);

    await expect(ensureAdminKey(deps, DEPLOY_KEY)).resolves.toBeUndefined();
    expect(await authenticate(deps, `Bearer ${DEPLOY_KEY}`)).toBeNull();
  });
});

describe('Lambda environment', () => {
  const base = {
    BUCKET_NAME: 'b',
    JOBS_TABLE_NAME: 'j',
    RESOURCES_TABLE_NAME: 'r',
    UPLOAD_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:upload',
    DATA_PLANE_URL: 'https://d111.cloudfront.net',
    STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:BatchlineStack-jobs',
  };

  it('takes the admin key secret and the long-stream URL when set, and neither is required', () => {
    const minimal = lambdaEnv(base);
    expect(minimal.ADMIN_KEY_SECRET_ARN).toBeUndefined();
    expect(minimal.LONG_STREAM_URL).toBeUndefined();
    const env = lambdaEnv({
      ...base,
      ADMIN_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:admin',
      LONG_STREAM_URL: 'https://d111.cloudfront.net',
    });
    expect(env.ADMIN_KEY_SECRET_ARN).toBe('arn:aws:secretsmanager:eu-west-1:111111111111:secret:admin');
    expect(env.LONG_STREAM_URL).toBe('https://d111.cloudfront.net');
    expect(() => lambdaEnv({ ...base, LONG_STREAM_URL: 'not a url' })).toThrow(/LONG_STREAM_URL/);
  });
});
