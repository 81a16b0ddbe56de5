/**
 * Reference paths as ASL uses them in InputPath, OutputPath, ResultPath, ItemsPath and `.$` fields: `$` (the state
 * input) or `$$` (the context object) followed by `.name`, `['name']` or `[index]` steps. Wildcards, filters and
 * slices are refused with States.Runtime rather than half-supported.
 */
import { isObject } from './definition.js';
import { runtimeError, StatesError } from './errors.js';

type Step = string | number;

interface ParsedPath {
  readonly root: '$' | '$$';
  readonly steps: readonly Step[];
}

const STEP = /^(?:\.([^.[\]'"]+)|\['([^']*)'\]|\["([^"]*)"\]|\[(\d+)\])/;

const cache = new Map<string, ParsedPath>();

function parse(path: string): ParsedPath {
  const cached = cache.get(path);
  if (cached) return cached;
  const root = path.startsWith('$$') ? '$$' : '$';
  if (!path.startsWith('$')) throw runtimeError(`Invalid JSONPath '${path}': it must start with $`);
  const steps: Step[] = [];
  let rest = path.slice(root.length);
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (!match)
      throw runtimeError(`Unsupported JSONPath '${path}' (only $.name, ['name'] and [index] steps)`);
    const [whole, dotted, single, double, index] = match;
    steps.push(index !== undefined ? Number(index) : (dotted ?? single ?? double ?? ''));
    rest = rest.slice(whole.length);
  }
  const parsed = { root, steps } as const;
  cache.set(path, parsed);
  return parsed;
}

function step(value: unknown, key: Step): { found: boolean; value?: unknown } {
  if (typeof key === 'number') {
    return Array.isArray(value) && key < value.length ? { found: true, value: value[key] } : { found: false };
  }
  return isObject(value) && Object.hasOwn(value, key) ? { found: true, value: value[key] } : { found: false };
}

function lookup(path: string, input: unknown, context: unknown): { found: boolean; value?: unknown } {
  const { root, steps } = parse(path);
  let current: { found: boolean; value?: unknown } = { found: true, value: root === '$$' ? context : input };
  for (const key of steps) {
    current = step(current.value, key);
    if (!current.found) break;
  }
  return current;
}

/** Whether `path` selects a value from `input` (or from `context` for `$$` paths). */
export function hasPath(path: string, input: unknown, context: unknown): boolean {
  return lookup(path, input, context).found;
}

/** The value `path` selects; throws States.Runtime when it selects nothing, as the service does. */
export function readPath(path: string, input: unknown, context: unknown): unknown {
  const result = lookup(path, input, context);
  if (!result.found) throw runtimeError(`The JSONPath '${path}' could not be found in the input`);
  return result.value;
}

/**
 * Places `result` into `rawInput` at `resultPath` without mutating `rawInput`: `$` replaces the input, `null`
 * discards the result, and a deeper path creates the objects it walks through. A step that meets a non-object
 * fails with States.ResultPathMatchFailure, as on AWS.
 */
export function applyResultPath(
  rawInput: unknown,
  resultPath: string | null | undefined,
  result: unknown,
): unknown {
  if (resultPath === null) return rawInput;
  const { root, steps } = parse(resultPath ?? '$');
  if (root === '$$') throw runtimeError(`ResultPath '${resultPath}' cannot point into the context object`);
  return placeAt(rawInput, steps, result, resultPath ?? '$');
}

function placeAt(target: unknown, steps: readonly Step[], result: unknown, path: string): unknown {
  const [head, ...tail] = steps;
  if (head === undefined) return result;
  if (typeof head === 'number' || (target !== undefined && !isObject(target))) {
    throw new StatesError(
      'States.ResultPathMatchFailure',
      `Unable to apply ResultPath '${path}' to the state input`,
    );
  }
  const object = isObject(target) ? target : {};
  return { ...object, [head]: placeAt(object[head], tail, result, path) };
}
