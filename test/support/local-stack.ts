import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack.js';

/** A small JSON-over-HTTP client for tests, speaking to the API the way DataRobot clients do. */
export interface TestApi {
  readonly stack: LocalStack;
  readonly endpoint: string;
  readonly key: string;
  /** The stack's data directory (emulator data, key files). */
  readonly dataDir: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    options?: { key?: string | null; raw?: string },
  ): Promise<ApiAnswer>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** Starts the embedded stack once for a test file (temp data dir, free port) and stops it afterwards. */
export function useLocalStack(options: { chunkBytes?: number } = {}): () => TestApi {
  let api: TestApi | null = null;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'batchline-stack-'));
    const stack = await startLocalStack({ port: 0, dataDir, chunkBytes: options.chunkBytes });
    const key = stack.apiKey as string;
    api = {
      stack,
      endpoint: stack.endpoint,
      key,
      dataDir,
      call: async (method, path, body, opts = {}) => {
        const url = path.startsWith('http') ? path : `${stack.endpoint}/${path}`;
        const headers: Record<string, string> = {};
        const useKey = opts.key === undefined ? key : opts.key;
        if (useKey) headers.Authorization = `Token ${useKey}`;
        let payload: string | undefined = opts.raw === '' ? undefined : opts.raw;
        if (body !== undefined) {
          payload = JSON.stringify(body);
          headers['Content-Type'] = 'application/json';
        }
        const res = await fetch(url, { method, headers, body: payload, redirect: 'manual' });
        const text = await res.text();
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          parsed = {};
        }
        return { status: res.status, headers: res.headers, body: parsed, text };
      },
    };
  }, 60_000);
  afterAll(async () => {
    await api?.stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
  return () => {
    if (!api) throw new Error('the local stack has not started');
    return api;
  };
}
