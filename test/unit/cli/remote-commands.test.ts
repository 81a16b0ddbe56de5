import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../../cli/api-client.js';
import { JobAbortedError, scoreRemote } from '../../../cli/commands/score-remote.js';
import { startLocalStack } from '../../../local/stack.js';
import { writeChurnFiles } from '../../support/cli-fixtures.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

describe('remote CLI commands against the local stack', () => {
  let stack: Stack;
  let dir: string;
  let api: ApiClient;
  const key = randomBytes(24).toString('hex');

  /** Runs `batchline` from source in a child process (asynchronously: the stack answers from this process). */
  async function batchline(args: string[], apiKey = key): Promise<Run> {
    const env = { ...process.env, BATCHLINE_ENDPOINT: stack.endpoint, BATCHLINE_API_KEY: apiKey };
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'cli/batchline.ts'), ...args],
        { cwd: ROOT, env },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  async function deploy(label: string): Promise<string> {
    const created = await batchline([
      'deployments',
      'create',
      '--model',
      join(dir, 'm.onnx'),
      '--label',
      label,
    ]);
    expect(created.stderr).toBe('');
    return (JSON.parse(created.stdout) as { id: string }).id;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'batchline-remote-'));
    stack = await startLocalStack({ port: 0, dataDir: join(dir, 'data'), apiKey: key });
    api = new ApiClient({ endpoint: stack.endpoint, apiKey: key });
    writeChurnFiles(dir);
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a model with the manifest beside it and lists the deployment', async () => {
    const created = await batchline([
      'deployments',
      'create',
      '--model',
      join(dir, 'm.onnx'),
      '--label',
      'Churn',
    ]);
    expect(created.code).toBe(0);
    const deployment = JSON.parse(created.stdout) as {
      id: string;
      label: string;
      model: { targetName: string };
    };
    expect(deployment).toMatchObject({ label: 'Churn', model: { type: 'ONNX', targetName: 'churn' } });
    expect(deployment.id).toMatch(/^[0-9a-f]{24}$/);
    const listed = await batchline(['deployments', 'list']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((d) => d.id)).toContain(deployment.id);
  });

  it('scores a file through the API with the same output as local scoring, then lists and gets the job', async () => {
    const deploymentId = await deploy('Churn scoring');
    const flags = [
      '--delimiter',
      ';',
      '--passthrough-columns',
      'id',
      '--include-prediction-status',
      '--no-abort-on-error',
    ];
    const remoteOut = join(dir, 'remote.csv');
    const localOut = join(dir, 'local.csv');
    const remote = await batchline([
      'score',
      '--deployment',
      deploymentId,
      '--in',
      join(dir, 'in.csv'),
      '--out',
      remoteOut,
      ...flags,
    ]);
    const local = await batchline([
      'score',
      '--model',
      join(dir, 'm.onnx'),
      '--in',
      join(dir, 'in.csv'),
      '--out',
      localOut,
      ...flags,
    ]);
    expect(remote.code).toBe(0);
    expect(local.code).toBe(0);
    expect(remote.stderr).toMatch(
      /^scored 2 rows, 1 failed in [\d.]+ s \(\d+ rows\/s\) \(job [0-9a-f]{24}\)$/m,
    );
    expect(readFileSync(remoteOut, 'utf8')).toBe(readFileSync(localOut, 'utf8'));
    expect(existsSync(`${remoteOut}.partial`)).toBe(false);

    const jobId = /\(job ([0-9a-f]{24})\)/.exec(remote.stderr)?.[1] as string;
    const completed = JSON.parse((await batchline(['jobs', 'list', '--status', 'completed'])).stdout) as {
      id: string;
    }[];
    expect(completed.map((j) => j.id)).toContain(jobId);
    const aborted = JSON.parse((await batchline(['jobs', 'list', '--status', 'ABORTED'])).stdout) as {
      id: string;
    }[];
    expect(aborted.map((j) => j.id)).not.toContain(jobId);
    const job = JSON.parse((await batchline(['jobs', 'get', jobId])).stdout) as Record<string, unknown>;
    expect(job).toMatchObject({ id: jobId, status: 'COMPLETED', scoredRows: 2, failedRows: 1 });
  });

  it('cancels a job waiting for its upload', async () => {
    const deploymentId = await deploy('Churn cancel');
    const job = await api.createJob({
      deploymentId,
      intakeSettings: { type: 'localFile' },
      outputSettings: { type: 'localFile' },
    });
    const cancelled = await batchline(['jobs', 'cancel', job.id]);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id: job.id, status: 'ABORTED' });
  });

  it('fails with the server statusDetails and leaves no output when the job is aborted', async () => {
    const deploymentId = await deploy('Churn abort');
    const out = join(dir, 'aborted.csv');
    const scored = await batchline([
      'score',
      '--deployment',
      deploymentId,
      '--in',
      join(dir, 'in.csv'),
      '--out',
      out,
      '--delimiter',
      ';',
    ]);
    expect(scored.code).toBe(1);
    expect(scored.stderr).toMatch(/^batchline: job [0-9a-f]{24} was aborted: .*"x" is not a number/m);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('prints the server message for errors, and says when the key is wrong', async () => {
    const wrongKey = await batchline(['deployments', 'list'], 'not-a-key');
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('refused the API key (401)');
    const missing = await batchline(['jobs', 'get', '0123456789abcdef01234567']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^batchline: .+/);
    expect(missing.stderr).not.toContain('unexpected error');
    const invalid = await batchline([
      'score',
      '--deployment',
      'nope',
      '--in',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'z.csv'),
      '--prediction-threshold',
      '7',
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('predictionThreshold');
    const unset = await batchline(['deployments', 'list'], '');
    expect(unset.stderr).toContain('BATCHLINE_API_KEY is not set');
  });

  it('uploads large files in parts, each with the header row, with the same result as one PUT', async () => {
    const deploymentId = await deploy('Churn multipart');
    const rows = Array.from({ length: 3000 }, (_, i) => `${i};${i % 7};"${i % 5}"`);
    const input = join(dir, 'big.csv');
    writeFileSync(input, `id;a;b\n${rows.join('\n')}\n`);
    const args = { deployment: deploymentId, in: input, delimiter: ';', 'passthrough-columns': 'id' };
    const whole = await scoreRemote(api, { ...args, out: join(dir, 'whole.csv') }, { pollMs: 50 });
    const parts = await scoreRemote(
      api,
      { ...args, out: join(dir, 'parts.csv') },
      { multipartThreshold: 1000, partBytes: 8000, pollMs: 50 },
    );
    expect(whole.parts).toBe(1);
    expect(parts.parts).toBeGreaterThan(3);
    expect(parts.scoredRows).toBe(3000);
    expect(readFileSync(join(dir, 'parts.csv'), 'utf8')).toBe(readFileSync(join(dir, 'whole.csv'), 'utf8'));
  });

  it('rejects an unknown deployment with the API error, and reports aborts as JobAbortedError', async () => {
    const unknown = scoreRemote(api, {
      deployment: '0123456789abcdef01234567',
      in: join(dir, 'in.csv'),
      out: join(dir, 'u.csv'),
    });
    await expect(unknown).rejects.toBeInstanceOf(ApiError);
    const deploymentId = await deploy('Churn abort api');
    const aborted = scoreRemote(
      api,
      { deployment: deploymentId, in: join(dir, 'in.csv'), out: join(dir, 'v.csv'), delimiter: ';' },
      { pollMs: 50 },
    );
    await expect(aborted).rejects.toBeInstanceOf(JobAbortedError);
  });
});
