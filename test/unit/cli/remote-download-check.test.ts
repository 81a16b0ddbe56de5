import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../cli/api-client.js';
import { scoreRemote } from '../../../cli/commands/score-remote.js';

const OUTPUT = 'p\n1\n2\n';

/**
 * A stand-in server whose download stream is cut short a given number of times: the real stack must never do
 * that, so this is the only way to check that the CLI does not save a short stream as the output.
 */
async function serverCuttingDownloads(shortDownloads: number): Promise<{ server: Server; endpoint: string }> {
  let cut = shortDownloads;
  let base = '';
  const server = createServer((req, res) => {
    req.resume();
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const links = {
      self: `${base}/api/v2/batchPredictions/j1/`,
      download: `${base}/api/v2/batchPredictions/j1/download/`,
    };
    if (req.url === '/api/v2/batchPredictions/')
      return json(202, { id: 'j1', links: { ...links, csvUpload: `${base}/upload/j1/` } });
    if (req.url === '/upload/j1/') return json(202, {});
    if (req.url === '/api/v2/batchPredictions/j1/') {
      const counts = { scoredRows: 2, failedRows: 0, skippedRows: 0, percentageCompleted: 100 };
      return json(200, {
        id: 'j1',
        status: 'COMPLETED',
        statusDetails: 'done',
        jobOutputSize: OUTPUT.length,
        links,
        ...counts,
      });
    }
    if (req.url === '/api/v2/batchPredictions/j1/download/') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(cut-- > 0 ? OUTPUT.slice(0, 4) : OUTPUT);
      return;
    }
    json(404, { message: 'no route' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, endpoint: `${base}/api/v2` };
}

describe('remote score download check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'batchline-download-check-'));
    writeFileSync(join(dir, 'in.csv'), 'a\n1\n2\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function score(shortDownloads: number, out: string) {
    const { server, endpoint } = await serverCuttingDownloads(shortDownloads);
    try {
      const api = new ApiClient({ endpoint, apiKey: 'k' });
      return await scoreRemote(api, { deployment: 'd', in: join(dir, 'in.csv'), out }, { pollMs: 5 });
    } finally {
      server.close();
    }
  }

  it('downloads the finished output again when the first stream ended short of jobOutputSize', async () => {
    const out = join(dir, 'once-short.csv');
    await expect(score(1, out)).resolves.toMatchObject({ scoredRows: 2 });
    expect(readFileSync(out, 'utf8')).toBe(OUTPUT);
  });

  it('fails without leaving a file when the output stays short', async () => {
    const out = join(dir, 'always-short.csv');
    await expect(score(2, out)).rejects.toThrow('downloaded 4 bytes of 6; the output was not saved');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});
