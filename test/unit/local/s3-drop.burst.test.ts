import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../../shared/observability/observability.js';
import { deployClassifier } from '../../support/job-definition-fixtures.js';
import { useLocalStack } from '../../support/local-stack.js';

const CSV = 'id,a,b\n1,0.5,-1.2\n2,-0.3,0.8\n';
const DROPS = 1000;

describe('a burst of S3 drops on the local stack', () => {
  const api = useLocalStack();
  let deploymentId = '';
  beforeAll(async () => {
    // One info line per drop would flood the test output.
    logger.setLogLevel('WARN');
    deploymentId = await deployClassifier(api());
  }, 60_000);
  afterAll(() => logger.setLogLevel('INFO'));

  // The real path: s3rver's events → the listener → the s3-drop handler → a job created, its input copied and
  // completed, the job queued. The deployment's one slot is held by a job still waiting for its input, as behind
  // a long-running job, so the burst's jobs stay queued: this measures queueing, not scoring.
  it('queues one job per dropped object, none lost and none twice', async () => {
    const { stack } = api();
    const definition = await api().call('POST', 'batchPredictionJobDefinitions/', {
      name: 'burst',
      enabled: true,
      deploymentId,
      trigger: { type: 's3Drop', prefix: 'burst/' },
      outputSettings: { type: 'localFile' },
    });
    expect(definition.status).toBe(202);
    const busy = await api().call('POST', 'batchPredictions/', {
      deploymentId,
      intakeSettings: { type: 'localFile' },
      outputSettings: { type: 'localFile' },
    });
    expect(busy.status).toBe(202);
    expect(await stack.deps.jobs.acquireSlot(deploymentId, busy.body.id as string, 1)).toBe(true);

    const keys = Array.from({ length: DROPS }, (_, i) => `drops/admin/burst/${i}.csv`);
    const started = performance.now();
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => stack.deps.objects.put(key, Buffer.from(CSV))));
    }
    await stack.drops.idle();
    const perDropMs = (performance.now() - started) / DROPS;

    const { jobs } = await stack.deps.jobs.list('admin', { offset: 0, limit: 100_000 });
    const burst = jobs.filter((job) => job.jobDefinition?.id === definition.body.id);
    expect(burst).toHaveLength(DROPS);
    expect(burst.every((job) => job.status === 'INITIALIZING' && job.jobIntakeSize === CSV.length)).toBe(
      true,
    );
    const queued = new Set((await stack.deps.jobs.listQueued(deploymentId)).map((entry) => entry.jobId));
    expect(burst.filter((job) => !queued.has(job.id))).toEqual([]);
    console.info(`${DROPS} drops queued at ${perDropMs.toFixed(1)} ms per drop`);
  }, 120_000);
});
