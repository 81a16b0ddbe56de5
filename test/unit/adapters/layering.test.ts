import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SHARED = join(ROOT, 'shared');
const ADAPTERS = join(SHARED, 'adapters');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('layering', () => {
  it('keeps the AWS SDK inside shared/adapters', async () => {
    const files = (await sourceFiles(SHARED)).filter((file) => !file.startsWith(`${ADAPTERS}/`));
    const offenders: string[] = [];
    for (const file of files) {
      if (/from '@aws-sdk\/|import\('@aws-sdk\//.test(await readFile(file, 'utf8'))) {
        offenders.push(relative(ROOT, file));
      }
    }
    expect(files.length).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });

  it('keeps shared/ free of imports from the handlers, the local stack and the CDK app', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(SHARED)) {
      if (/from '(\.\.\/)+(functions|local|infra)\//.test(await readFile(file, 'utf8'))) {
        offenders.push(relative(ROOT, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
