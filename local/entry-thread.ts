/**
 * Starting a module in a worker thread the same way under tsx, vitest and the compiled build, and reading the
 * settings it was started with. The embedded stack's chunk workers and its S3 emulator each run in one.
 */
import { fileURLToPath } from 'node:url';
import { Worker, workerData } from 'node:worker_threads';

/** What every entry thread is handed: its entry module, and the settings the entry module reads. */
interface EntryThreadData {
  /** URL of the thread's entry module. */
  readonly entry: string;
  /** URL of tsx's ESM register API, when the entry module is TypeScript (run from source). */
  readonly tsxApi: string | null;
  readonly settings: unknown;
}

// Plain JavaScript, so a thread starts the same way under tsx, vitest and the compiled build; only a TypeScript
// entry needs tsx, registered in the thread because neither vitest nor an eval'd worker brings it along.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(workerData.tsxApi ? import(workerData.tsxApi).then((tsx) => tsx.register()) : Promise.resolve()).then(() =>
  import(workerData.entry),
);
`;

/**
 * The URL of module `name` in the folder of `base` (a module's `import.meta.url`): `.ts` when `base` runs from
 * source (tsx, vitest), `.js` when compiled.
 */
export function siblingModule(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/**
 * Starts a thread running the module at `entry` (TypeScript when run from source, else the compiled JavaScript),
 * which reads `settings` with `workerSettings()`.
 */
export function startEntryThread(entry: URL, settings: unknown): Worker {
  const typescript = fileURLToPath(entry).endsWith('.ts');
  const data: EntryThreadData = {
    entry: entry.href,
    tsxApi: typescript ? import.meta.resolve('tsx/esm/api') : null,
    settings,
  };
  return new Worker(BOOTSTRAP, { eval: true, workerData: data });
}

/** The settings this thread was started with (call from an entry module). */
export function workerSettings(): unknown {
  return (workerData as EntryThreadData).settings;
}
