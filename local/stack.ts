import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { provideDeps } from '../functions/composition.js';
import { createTables } from '../shared/adapters/dynamodb/tables.js';
import { ensureBucket } from '../shared/adapters/s3/s3-client.js';
import { API_PREFIX } from '../shared/http/api-request.js';
import { bootstrapAdminKey } from '../shared/use-cases/api-keys/bootstrap-admin-key.js';
import type { Deps } from '../shared/use-cases/deps.js';
import { LocalDefinitionScheduler } from './definition-scheduler.js';
import { startEmulators } from './emulators.js';
import { localContext } from './lambda-event.js';
import { connectLocalDeps, type LocalServices } from './local-deps.js';
import { createLocalWorkflow, type LocalWorkflow } from './local-workflow.js';
import { startRetentionSweeper } from './retention.js';
import { startRuntimeLimitSweeper } from './runtime-limit-sweeper.js';
import { S3DropListener } from './s3-drop-listener.js';
import { startLocalServer } from './server.js';
import { loadLocalDefinition } from './state-machine-definition.js';

export interface LocalStackOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Emulator data, the signing secret and the local key live here and survive restarts. */
  readonly dataDir: string;
  /** Use this API key (created if new) instead of generating one. */
  readonly apiKey?: string;
  /** Target bytes per scoring chunk (small values make many chunks, for tests). */
  readonly chunkBytes?: number;
  /** Job data (input, parts, output) is deleted after this many hours; default 48 as in DataRobot. */
  readonly retentionHours?: number;
  /** Jobs one deployment runs at once; default 1 as in DataRobot. */
  readonly maxConcurrentJobsPerDeployment?: number;
  /** A job running longer than this many hours is aborted; default 4 as in DataRobot. */
  readonly jobRuntimeLimitHours?: number;
}

export interface LocalStack {
  /** The endpoint as DataRobot clients take it, e.g. `http://127.0.0.1:8080/api/v2`. */
  readonly endpoint: string;
  /** The admin API key, when this start created it or it was given (null when an existing key is kept). */
  readonly apiKey: string | null;
  readonly deps: Deps;
  /** Fires job-definition schedules; tests drive it with a controllable clock through `runDue`. */
  readonly definitionScheduler: LocalDefinitionScheduler;
  /** Hands objects dropped under `drops/` to the S3-drop handler; `idle()` waits until all are handled. */
  readonly drops: S3DropListener;
  /** Where the S3 emulator listens (keys S3RVER/S3RVER); users' buckets for `s3` intake and output live there too. */
  readonly s3Endpoint: string;
  stop(): Promise<void>;
}

const BUCKET = 'batchline';
const TABLES = { jobs: 'batchline-jobs', resources: 'batchline-resources' };

/**
 * The whole service on one machine: S3 (s3rver) and DynamoDB (dynalite) emulators with data under `dataDir`,
 * the API handlers behind a local HTTP server, the upload data plane's twin, and jobs run by the state machine
 * CDK synthesizes, interpreted locally with chunks scored in worker threads.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // The SDK warns on Node 20 that releases after January 2027 will need Node 22; our SDK versions are pinned
  // and Lambda runs Node 22, so the warning only clutters `npm start` and the demo.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  mkdirSync(options.dataDir, { recursive: true });
  const { definition } = await loadLocalDefinition({ cacheDir: options.dataDir, bucket: BUCKET });
  const drops = new S3DropListener({
    handle: async (event) =>
      (await import('../functions/s3-drop.js')).handler(event, localContext('s3-drop')),
    onError: (e, key) => console.error(`S3 drop ${key} not handled`, e),
    concurrency: 8,
  });
  const emulators = await startEmulators({ dataDir: options.dataDir, onS3Event: drops.accept });

  let resolveDeps: (deps: Deps) => void = () => {};
  provideDeps(new Promise<Deps>((resolve) => (resolveDeps = resolve)));
  const server = await startLocalServer({
    port: options.port,
    onError: (e) => console.error('unexpected error', e),
  });
  const services: LocalServices = {
    s3Endpoint: emulators.s3Endpoint,
    dynamoEndpoint: emulators.dynamoEndpoint,
    bucket: BUCKET,
    tables: TABLES,
    config: {
      uploadSecret: persistentSecret(join(options.dataDir, 'upload-secret')),
      dataPlaneUrl: server.url,
      uploadUrlSeconds: 48 * 3600,
      chunkBytes: options.chunkBytes ?? 16 * 1024 * 1024,
      retentionHours: options.retentionHours ?? 48,
      maxConcurrentJobsPerDeployment: options.maxConcurrentJobsPerDeployment,
      jobRuntimeLimitHours: options.jobRuntimeLimitHours,
      outputAssembly: 'parts',
    },
    vaultKey: persistentSecret(join(options.dataDir, 'vault-key')),
  };
  let local: LocalWorkflow | null = null;
  // Kept in the data dir, so the schedules survive restarts as EventBridge Scheduler's do.
  const definitionScheduler = new LocalDefinitionScheduler(join(options.dataDir, 'schedules.json'));
  const { deps, s3, dynamo, destroy } = connectLocalDeps(
    services,
    (d) => {
      local = createLocalWorkflow(d, { definition, services });
      return local.workflow;
    },
    definitionScheduler,
  );
  await ensureBucket(s3, BUCKET);
  await createTables(dynamo, TABLES);
  resolveDeps(deps);
  const apiKey = await localApiKey(deps, options);
  definitionScheduler.start(
    async (run) => {
      const { handler } = await import('../functions/run-scheduled-definition.js');
      await handler(run, localContext('run-scheduled-definition'));
    },
    (e) => console.error('scheduled job definition run failed', e),
  );
  const stopSweeper = startRetentionSweeper(deps.objects, deps.config.retentionHours, (e) =>
    console.error('retention sweep failed', e),
  );
  const stopRuntimeLimitSweeper = startRuntimeLimitSweeper(deps, (e) =>
    console.error('runtime limit sweep failed', e),
  );
  return {
    endpoint: `${server.url}${API_PREFIX}`,
    apiKey,
    deps,
    definitionScheduler,
    drops,
    s3Endpoint: emulators.s3Endpoint,
    stop: async () => {
      definitionScheduler.stop();
      await drops.stop();
      stopSweeper();
      await stopRuntimeLimitSweeper();
      await (local as LocalWorkflow | null)?.close();
      await server.close();
      destroy();
      await emulators.stop();
    },
  };
}

/** A random secret created on first start and kept in the data dir, so signed URLs survive restarts. */
function persistentSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

/**
 * The local admin key: the given one, or one created on first start. A created key is also written to
 * `<dataDir>/api-key` (mode 600) so that later starts can show it; only its hash is in the key store.
 */
async function localApiKey(deps: Deps, options: LocalStackOptions): Promise<string | null> {
  const keyFile = join(options.dataDir, 'api-key');
  const created = await bootstrapAdminKey(deps, options.apiKey ? { key: options.apiKey } : {});
  if (options.apiKey) return options.apiKey;
  if (created) {
    writeFileSync(keyFile, created, { mode: 0o600 });
    return created;
  }
  return existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : null;
}
