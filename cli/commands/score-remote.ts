import { createReadStream, renameSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../../shared/domain/errors.js';
import {
  type CsvDialect,
  type CsvSettings,
  lowByteIsUnambiguous,
  resolveDialect,
} from '../../shared/engine/csv/dialect.js';
import { planChunks } from '../../shared/engine/csv/record-blocks.js';
import type { ApiClient, JobDocument } from '../api-client.js';
import { type JobSpecFlagValues, jobSpecFromFlags } from '../job-spec-flags.js';
import { type Progress, progressBar } from '../progress.js';

export interface ScoreRemoteArgs extends JobSpecFlagValues {
  deployment: string;
  in: string;
  out: string;
}

/** Transfer tuning; the defaults suit real files, tests shrink them. */
export interface ScoreRemoteTuning {
  /** Files larger than this go up in parts; default 100 MB. */
  multipartThreshold?: number;
  /** Target size of one part; default 64 MiB. */
  partBytes?: number;
  /** Status polling interval; default 1 s, like the DataRobot client. */
  pollMs?: number;
  /** How long to wait for `links.download`; default 120 s, like the DataRobot client. */
  downloadWaitMs?: number;
  /** Where progress bars go; default stderr (bars only appear on a terminal). */
  progressStream?: NodeJS.WriteStream;
}

/** What a finished remote job reports. */
export interface RemoteScoreSummary {
  jobId: string;
  scoredRows: number;
  failedRows: number;
  skippedRows: number;
  seconds: number;
  uploadedBytes: number;
  parts: number;
}

/** The job ended ABORTED; the message is the server's statusDetails. */
export class JobAbortedError extends DomainError {
  constructor(
    readonly jobId: string,
    statusDetails: string,
  ) {
    super(`job ${jobId} was aborted: ${statusDetails}`);
  }
}

const MB = 1_000_000;
const MIB = 1 << 20;

/**
 * Scores a local CSV file through the API the way the DataRobot client does: create a localFile job, upload
 * the file to `links.csvUpload` (in parts with a repeated header when it is large), wait for `links.download`,
 * stream the output to `<out>.partial` while the job runs, and rename it once the job COMPLETED.
 *
 * @throws JobAbortedError when the job ends ABORTED (no output file is left behind).
 */
export async function scoreRemote(
  api: ApiClient,
  args: ScoreRemoteArgs,
  tuning: ScoreRemoteTuning = {},
): Promise<RemoteScoreSummary> {
  const started = performance.now();
  const spec: Record<string, unknown> = {
    ...jobSpecFromFlags(args, args.deployment),
    intakeSettings: { type: 'localFile' },
    outputSettings: { type: 'localFile' },
  };
  const size = statSync(args.in).size;
  const job = await api.createJob(spec);
  // The server has validated the spec by now, so the dialect is resolved from its normalized copy.
  const dialect = resolveDialect((job.jobSpec as { csvSettings?: CsvSettings } | undefined)?.csvSettings);
  const csvUpload = job.links.csvUpload;
  if (!csvUpload) throw new DomainError(`job ${job.id} came back without links.csvUpload`);

  const upload = progressBar(size, tuning.progressStream);
  let parts: number;
  try {
    const multipart = size > (tuning.multipartThreshold ?? 100 * MB) && canSplit(dialect);
    parts = multipart
      ? await uploadInParts(api, csvUpload, args.in, dialect, tuning.partBytes ?? 64 * MIB, (sent) =>
          upload.update(sent, 0),
        )
      : await uploadWhole(api, csvUpload, args.in, size, (sent) => upload.update(sent, 0));
  } finally {
    upload.stop();
  }

  const poll = tuning.pollMs ?? 1000;
  const ready = await waitForDownload(api, job.id, poll, tuning.downloadWaitMs ?? 120_000);
  const final = await downloadWhileRunning(
    api,
    ready,
    args.out,
    poll,
    progressBar(100, tuning.progressStream),
  );
  return {
    jobId: final.id,
    scoredRows: final.scoredRows,
    failedRows: final.failedRows,
    skippedRows: final.skippedRows,
    seconds: (performance.now() - started) / 1000,
    uploadedBytes: size,
    parts,
  };
}

/** Parts are cut at record boundaries found by byte value, which needs the separators to be unambiguous bytes. */
function canSplit(dialect: CsvDialect): boolean {
  return [dialect.delimiter, dialect.quote, 0x0a, 0x0d].every((b) =>
    lowByteIsUnambiguous(dialect.encoding, b),
  );
}

async function uploadWhole(
  api: ApiClient,
  url: string,
  path: string,
  size: number,
  onProgress: (sent: number) => void,
): Promise<number> {
  await api.putCsv(url, { path, start: 0, end: size }, onProgress);
  return 1;
}

/** The 3.x client's multipart form: `part/<n>`, each a CSV with the header row, then `finalizeMultipart`. */
async function uploadInParts(
  api: ApiClient,
  url: string,
  path: string,
  dialect: CsvDialect,
  partBytes: number,
  onProgress: (sent: number) => void,
): Promise<number> {
  const plan = await planChunks(createReadStream(path, { highWaterMark: MIB }), dialect, partBytes);
  const header = await readRange(path, plan.headerRange.start, plan.headerRange.end);
  let done = plan.headerRange.end;
  for (const chunk of plan.chunks) {
    const before = done;
    await api.putCsv(
      `${url}part/${chunk.index}`,
      { path, start: chunk.start, end: chunk.end, prefix: header },
      (sent) => onProgress(before + Math.max(0, sent - header.length)),
    );
    done += chunk.end - chunk.start;
  }
  // A header-only file has no chunks; it still goes up as one part so the job sees its columns.
  if (plan.chunks.length === 0) await api.putCsv(`${url}part/0`, { path, start: 0, end: 0, prefix: header });
  await api.postEmpty(`${url}finalizeMultipart`);
  return Math.max(1, plan.chunks.length);
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const pieces: Buffer[] = [];
  for await (const piece of createReadStream(path, { start, end: end - 1 })) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

async function waitForDownload(
  api: ApiClient,
  id: string,
  pollMs: number,
  timeoutMs: number,
): Promise<JobDocument> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await api.getJob(id);
    if (job.status === 'ABORTED') throw new JobAbortedError(id, job.statusDetails);
    if (job.links.download) return job;
    if (Date.now() > deadline) {
      throw new DomainError(`job ${id} offered no download within ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(pollMs);
  }
}

/**
 * Streams the output while the job runs (the server keeps the response open until the last row), showing the
 * job's progress meanwhile; the output only gets its final name when the job reads COMPLETED afterwards.
 */
async function downloadWhileRunning(
  api: ApiClient,
  job: JobDocument,
  out: string,
  pollMs: number,
  bar: Progress,
): Promise<JobDocument> {
  const partial = `${out}.partial`;
  const downloaded = new AbortController();
  const watching = (async () => {
    while (!downloaded.signal.aborted) {
      const status = await api.getJob(job.id).catch(() => null);
      if (status) bar.update(status.percentageCompleted, status.scoredRows + status.failedRows);
      await sleep(pollMs, undefined, { signal: downloaded.signal }).catch(() => {});
    }
  })();
  try {
    const download = job.links.download as string;
    // The server breaks the stream off when the job is aborted mid-download; the job status says why.
    const bytes = await api.downloadTo(download, partial).catch(async (error: unknown) => {
      const status = await api.getJob(job.id).catch(() => null);
      if (status?.status === 'ABORTED') throw new JobAbortedError(job.id, status.statusDetails);
      throw error;
    });
    const final = await waitForEnd(api, job.id, pollMs);
    if (final.status === 'ABORTED') throw new JobAbortedError(job.id, final.statusDetails);
    // A stream cut short while the job ran must not pass for the output: fetch the finished output once more.
    if (typeof final.jobOutputSize === 'number' && bytes !== final.jobOutputSize) {
      const again = await api.downloadTo(download, partial);
      if (again !== final.jobOutputSize) {
        throw new DomainError(
          `job ${job.id}: downloaded ${again} bytes of ${final.jobOutputSize}; the output was not saved`,
        );
      }
    }
    renameSync(partial, out);
    return final;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    downloaded.abort();
    await watching;
    bar.stop();
  }
}

/** The download ends after the last row, so the job is finished or about to be. */
async function waitForEnd(api: ApiClient, id: string, pollMs: number): Promise<JobDocument> {
  for (;;) {
    const job = await api.getJob(id);
    if (job.status === 'COMPLETED' || job.status === 'ABORTED') return job;
    await sleep(Math.min(pollMs, 200));
  }
}
