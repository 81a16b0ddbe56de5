import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The parts of CloudFront's event object the data-plane functions read and write. */
export interface CloudFrontEvent {
  request: {
    method: string;
    uri: string;
    querystring: Record<string, { value: string }>;
    headers: Record<string, { value: string }>;
  };
  response?: { statusCode: number; statusDescription?: string; headers?: Record<string, { value: string }> };
}

export type CloudFrontHandler = (event: CloudFrontEvent) => unknown;

/** Stand-in for a CloudFront KeyValueStore: `get` rejects for a missing key, as `cf.kvs().get` does. */
export function fakeKeyValueStore(entries: Record<string, string>): {
  kvs: () => { get(key: string): Promise<string> };
} {
  return {
    kvs: () => ({
      get: async (key: string) => {
        const value = entries[key];
        if (value === undefined) throw new Error(`key not found: ${key}`);
        return value;
      },
    }),
  };
}

const IMPORT_LINE = /^import (\w+) from '([\w-]+)';$/gm;

/**
 * Loads a CloudFront Function file in plain Node: its `import x from 'module'` lines become parameters, given
 * `modules` (the file is the exact text deployed, so it has no `export`; its top-level `handler` is returned).
 */
export function loadCloudFrontFunction(
  path: string,
  modules: Record<string, unknown> = {},
): CloudFrontHandler {
  const source = readFileSync(path, 'utf8');
  const available: Record<string, unknown> = { crypto, ...modules };
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [, name, module] of source.matchAll(IMPORT_LINE)) {
    if (name === undefined || module === undefined || !(module in available)) {
      throw new Error(`${path} imports '${module}', which the harness does not provide`);
    }
    names.push(name);
    values.push(available[module]);
  }
  const body = `${source.replace(IMPORT_LINE, '')}\nreturn handler;`;
  return new Function(...names, body)(...values) as CloudFrontHandler;
}
