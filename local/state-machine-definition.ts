/**
 * The job workflow's definition as CDK synthesizes it, made runnable locally: the `AWS::StepFunctions::StateMachine`
 * DefinitionString with each step function's ARN pointing at a local handler named after its `batchline:module`
 * tag, and the job bucket named as the local one. Synthesizing takes seconds, so the rendered definition is cached
 * under the data dir, keyed by a fingerprint of the sources that shape it.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDefinitionString } from './asl/cfn-definition.js';

/** The CDK tag naming the handler module a step function runs (the contract with infra/). */
export const MODULE_TAG = 'batchline:module';

/** The ARN a step function's module resolves to locally; the executor finds the handler by the function name. */
export function localFunctionArn(module: string): string {
  return `arn:aws:lambda:local:000000000000:function:${module}`;
}

/** The parts of a synthesized CloudFormation template read here. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/**
 * Renders the template's one state machine for local execution. Function references resolve by their module tag,
 * the bucket to `bucket`; other resources (the ECS cluster, task definition, subnets) to placeholder names, since
 * the local handler for the Fargate worker ignores them. Throws when there is not exactly one state machine or a
 * referenced function has no module tag.
 */
export function renderLocalDefinition(template: CfnTemplate, bucket: string): unknown {
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new Error(`expected one state machine in the template, found ${machines.length}`);
  return renderDefinitionString(machines[0]?.Properties?.DefinitionString, (logicalId, attribute) => {
    const resource = template.Resources[logicalId];
    if (resource?.Type === 'AWS::Lambda::Function') {
      const module = moduleTag(resource);
      if (module === undefined) throw new Error(`function ${logicalId} has no ${MODULE_TAG} tag`);
      return attribute === undefined ? module : localFunctionArn(module);
    }
    if (resource?.Type === 'AWS::S3::Bucket')
      return attribute === undefined ? bucket : `arn:aws:s3:::${bucket}`;
    return attribute === undefined ? `local-${logicalId}` : `local-${logicalId}-${attribute}`;
  });
}

function moduleTag(resource: CfnResource): string | undefined {
  const tags = resource.Properties?.Tags;
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t: { Key?: unknown }) => t.Key === MODULE_TAG) as { Value?: unknown } | undefined;
  return typeof tag?.Value === 'string' ? tag.Value : undefined;
}

export interface LocalDefinitionOptions {
  /** Where rendered definitions are cached (the stack's data dir, say). */
  readonly cacheDir: string;
  /** The local job bucket. */
  readonly bucket: string;
  /** Makes the template on a cache miss (default: synthesizeStackTemplate). */
  readonly synthesize?: () => Promise<CfnTemplate>;
  /** The repository (or build) root whose infra/ and step handlers are fingerprinted (default: this one). */
  readonly sourceRoot?: string;
}

export interface LocalDefinition {
  readonly definition: unknown;
  /** Whether it was synthesized now (and how long that took) or read from the cache. */
  readonly source: 'synthesized' | 'cached';
  readonly milliseconds: number;
}

const CACHE_SUBDIR = 'state-machine';
const CACHE_FILE = /^definition-[0-9a-f]+\.json$/;
/** Bumped when the rendering here changes, so older cached renderings are not used. */
const RENDER_VERSION = '1';

/**
 * The locally runnable workflow definition: from the cache when the infra/ sources, the step handlers and the
 * bucket are unchanged since it was made, else synthesized now and cached (replacing older renderings). Stacks
 * sharing a cache dir may start at the same time: a rendering is written whole (renamed into place) or not at all.
 */
export async function loadLocalDefinition(options: LocalDefinitionOptions): Promise<LocalDefinition> {
  const started = performance.now();
  const root = options.sourceRoot ?? fileURLToPath(new URL('../', import.meta.url));
  const dir = join(options.cacheDir, CACHE_SUBDIR);
  const name = `definition-${sourceFingerprint(root, options.bucket)}.json`;
  const cached = readCached(join(dir, name));
  if (cached !== undefined) {
    return { definition: cached, source: 'cached', milliseconds: performance.now() - started };
  }
  const template = await (options.synthesize ?? synthesizeStackTemplate)();
  const definition = renderLocalDefinition(template, options.bucket);
  writeCached(dir, name, definition);
  return { definition, source: 'synthesized', milliseconds: performance.now() - started };
}

/** The cached definition, or undefined when there is none (or another start is replacing it right now). */
function readCached(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function writeCached(dir: string, name: string, definition: unknown): void {
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `${name}.${process.pid}.${randomUUID()}.partial`);
  writeFileSync(partial, JSON.stringify(definition, null, 2));
  renameSync(partial, join(dir, name));
  for (const other of readdirSync(dir)) {
    if (other !== name && CACHE_FILE.test(other)) rmSync(join(dir, other), { force: true });
  }
}

/** A hash of every file under `<root>/infra`, the step handlers `<root>/functions/step-*`, and the bucket. */
export function sourceFingerprint(root: string, bucket: string): string {
  const hash = createHash('sha256').update(`${RENDER_VERSION}\0${bucket}\0`);
  const files = [
    ...listFiles(join(root, 'infra')),
    ...listFiles(join(root, 'functions')).filter((path) => /[/\\]step-[^/\\]+$/.test(path)),
  ].sort();
  for (const path of files) hash.update(`${relative(root, path)}\0`).update(readFileSync(path));
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

/**
 * Synthesizes BatchlineStack in this process, without bundling handler code or staging the worker image (neither
 * changes the definition), and returns its template. aws-cdk-lib is loaded only here, on a cache miss.
 */
export async function synthesizeStackTemplate(): Promise<CfnTemplate> {
  const { App } = await import('aws-cdk-lib');
  const { BatchlineStack } = await import('../infra/stacks/batchline-stack.js');
  const { API_MODULES } = await import('../functions/routes.js');
  const outdir = mkdtempSync(join(tmpdir(), 'batchline-synth-'));
  try {
    const app = new App({ outdir });
    const stack = new BatchlineStack(app, 'BatchlineStack', { apiModules: API_MODULES, bundle: false });
    return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
