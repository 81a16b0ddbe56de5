import { beforeAll, describe, expect, it } from 'vitest';
import { streamDownload } from '../../../functions/download.js';
import type { Deps } from '../../../shared/use-cases/deps.js';
import { failJob } from '../../../shared/use-cases/jobs/fail-job.js';
import { finalizeJob } from '../../../shared/use-cases/jobs/finalize-job.js';
import { outputKey } from '../../../shared/use-cases/jobs/job-keys.js';
import { downloadSignature } from '../../../shared/use-cases/jobs/long-stream-url.js';
import { readObject } from '../../../shared/use-cases/jobs/object-bytes.js';
import { prepareJob } from '../../../shared/use-cases/jobs/prepare-job.js';
import { scoreChunkStep } from '../../../shared/use-cases/jobs/score-chunk-step.js';
import { messyCsv, OWNER, useJobHarness } from '../use-cases/jobs/harness.js';
import { downloadEvent, InMemoryApiKeys, RecordingResponse } from './support.js';

const h = useJobHarness(300);
const POLL_MS = 10;
const FIFTEEN_MINUTES = 15 * 60_000;
const keys = new InMemoryApiKeys();
let deps: Deps;
let key: string;

beforeAll(async () => {
  deps = { ...h.manual, apiKeys: keys };
  key = await keys.issue(OWNER);
});

/** Runs the download core once; `timeLeftMs` and `longStreamUrl` as the Lambda would pass them. */
function download(
  jobId: string,
  options: { key?: string | null; method?: string; timeLeftMs?: () => number; longStreamUrl?: string } = {},
) {
  const response = new RecordingResponse();
  const done = streamDownload(
    downloadEvent(jobId, options.key === undefined ? key : options.key, options.method),
    response.stream,
    deps,
    {
      pollMs: POLL_MS,
      timeLeftMs: options.timeLeftMs ?? (() => FIFTEEN_MINUTES),
      respond: response.respond,
      ...(options.longStreamUrl === undefined ? {} : { longStreamUrl: options.longStreamUrl }),
    },
  );
  return { response, done };
}

/** A RUNNING job prepared by hand, nothing scored yet. */
async function runningJob(rows: number, seed: number, spec = {}) {
  const input = messyCsv(rows, seed);
  const job = await h.createJob({ passthroughColumns: ['id'], ...spec });
  await h.upload(job.id, [input], 'manual');
  const prepared = await prepareJob(deps, job.id, h.models);
  if (!prepared) throw new Error('prepare did not run');
  return { job, input, chunksTotal: prepared.chunksTotal };
}

describe('download Lambda core (streamDownload)', () => {
  it('streams a RUNNING job as its chunks finish and ends after the last row, equal to the final output', async () => {
    const { job, input, chunksTotal } = await runningJob(200, 21);
    expect(chunksTotal).toBeGreaterThan(5);
    const { response, done } = download(job.id);
    for (let i = 0; i < chunksTotal; i++) {
      await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));
      expect(response.ended).toBe(false);
      await scoreChunkStep(deps, job.id, i, h.models);
    }
    await done;

    expect(response.metadata).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'text/csv', 'Content-Disposition': `attachment; filename="${job.id}.csv"` },
    });
    expect(response.ended).toBe(true);
    expect(response.destroyedWith).toBeNull();
    const expected = await h.expectedOutput(job, input);
    expect(response.body().equals(expected)).toBe(true);
    expect(await finalizeJob(deps, job.id)).toBe(true);
    expect((await readObject(deps.objects, outputKey(job.id))).equals(response.body())).toBe(true);
  });

  it('answers a COMPLETED job with 302 to a presigned URL that fetches the same bytes without credentials', async () => {
    const { job, input, chunksTotal } = await runningJob(80, 22);
    for (let i = 0; i < chunksTotal; i++) await scoreChunkStep(deps, job.id, i, h.models);
    expect(await finalizeJob(deps, job.id)).toBe(true);
    const { response, done } = download(job.id);
    await done;

    expect(response.metadata?.statusCode).toBe(302);
    const location = response.metadata?.headers.Location as string;
    expect(location).toContain(`/jobs/${job.id}/output`);
    expect(response.body().length).toBe(0);
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(await h.expectedOutput(job, input))).toBe(true);
  });

  it('answers 409 with the reason for a job aborted before the download', async () => {
    const { job } = await runningJob(20, 23);
    await failJob(deps, job.id, 'Job aborted by the user');
    const { response, done } = download(job.id);
    await done;

    expect(response.metadata).toEqual({ statusCode: 409, headers: { 'Content-Type': 'application/json' } });
    expect(response.json()).toEqual({ message: `Job ${job.id} was aborted: Job aborted by the user` });
  });

  it('destroys the stream, never ends it, when the job is aborted mid-stream', async () => {
    const { job } = await runningJob(150, 24);
    await scoreChunkStep(deps, job.id, 0, h.models);
    const { response, done } = download(job.id);
    await new Promise((resolve) => setTimeout(resolve, 5 * POLL_MS));
    await failJob(deps, job.id, 'Job aborted by the user');
    await done;

    expect(response.metadata?.statusCode).toBe(200);
    expect(response.body().length).toBeGreaterThan(0);
    expect(response.ended).toBe(false);
    expect(response.destroyedWith?.message).toBe(`Job ${job.id} was aborted: Job aborted by the user`);
  });

  it('breaks the stream off before the invocation ends when the job outlasts it, and stops following the job', async () => {
    const { job } = await runningJob(60, 25);
    const jobs = deps.jobs;
    let lookups = 0;
    deps = {
      ...deps,
      jobs: new Proxy(jobs, {
        get: (target, name) =>
          name === 'get'
            ? (...args: Parameters<typeof jobs.get>) => {
                lookups++;
                return target.get(...args);
              }
            : Reflect.get(target, name),
      }),
    };
    try {
      const deadline = Date.now() + 5_000 + 100;
      const { response, done } = download(job.id, { timeLeftMs: () => deadline - Date.now() });
      await done;

      expect(response.metadata?.statusCode).toBe(200);
      expect(response.ended).toBe(false);
      expect(response.destroyedWith?.message).toMatch(/time limit of this invocation before the last row/);
      // A follower left polling would outlive the invocation (and, in Lambda, wake up in the next one).
      await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));
      const after = lookups;
      await new Promise((resolve) => setTimeout(resolve, 10 * POLL_MS));
      expect(lookups).toBe(after);
      expect(lookups).toBeGreaterThan(1);
    } finally {
      deps = { ...deps, jobs };
    }
  });

  it('redirects a RUNNING job that would outlast the invocation to the signed long-stream URL', async () => {
    const { job } = await runningJob(60, 26);
    const { response, done } = download(job.id, {
      timeLeftMs: () => 30_000,
      longStreamUrl: 'https://d111.cloudfront.net/',
    });
    await done;

    expect(response.metadata?.statusCode).toBe(302);
    const location = response.metadata?.headers.Location as string;
    const match = /^https:\/\/d111\.cloudfront\.net\/download\/([0-9a-f]{24})\/(\d+)\/([\w-]{43})\/$/.exec(
      location,
    );
    expect(match?.[1]).toBe(job.id);
    const expires = Number(match?.[2]);
    expect(expires * 1000).toBeGreaterThan(Date.now());
    expect(match?.[3]).toBe(downloadSignature(deps.config.uploadSecret, job.id, expires));
  });

  it('streams a job that fits in the time left even when a long-stream service is configured', async () => {
    const { job, input, chunksTotal } = await runningJob(40, 27);
    for (let i = 0; i < chunksTotal; i++) await scoreChunkStep(deps, job.id, i, h.models);
    const { response, done } = download(job.id, { longStreamUrl: 'https://d111.cloudfront.net' });
    await done;

    expect(response.metadata?.statusCode).toBe(200);
    expect(response.body().equals(await h.expectedOutput(job, input))).toBe(true);
    await finalizeJob(deps, job.id);
  });

  it('answers DataRobot-shaped 401, 404, 405 and 406', async () => {
    const { job } = await runningJob(10, 28);
    const waiting = await h.createJob();
    const toS3 = await h.createJob({ outputSettings: { type: 's3', url: 's3://bucket/out.csv' } });
    const cases = [
      { jobId: job.id, options: { key: null }, status: 401 },
      { jobId: job.id, options: { key: await keys.issue('someone-else') }, status: 404 },
      { jobId: waiting.id, options: {}, status: 404 },
      { jobId: 'f'.repeat(24), options: {}, status: 404 },
      { jobId: job.id, options: { method: 'POST' }, status: 405 },
      { jobId: toS3.id, options: {}, status: 406 },
    ];
    for (const { jobId, options, status } of cases) {
      const { response, done } = download(jobId, options);
      await done;
      expect(response.metadata?.statusCode, `${status} for ${JSON.stringify(options)}`).toBe(status);
      expect(response.metadata?.headers['Content-Type']).toBe('application/json');
      expect(typeof response.json().message).toBe('string');
      expect(response.ended).toBe(true);
    }
  });
});
