/**
 * Payload templates (Parameters, ItemSelector, ResultSelector, ItemReader/ResultWriter Parameters): a JSON value
 * copied as is, except that a field named `key.$` becomes `key` with the value its JSONPath selects.
 */
import { isObject } from './definition.js';
import { runtimeError } from './errors.js';
import { evaluateIntrinsic, isIntrinsic } from './intrinsics.js';
import { readPath } from './json-path.js';

/**
 * Evaluates `template` against the state's `input` and the `context` object (`$$`).
 * Of the intrinsic functions only `States.Format(...)` is supported (see intrinsics.ts).
 */
export function evaluateTemplate(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((item) => evaluateTemplate(item, input, context));
  if (!isObject(template)) return template;
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith('.$')) {
      output[key] = evaluateTemplate(value, input, context);
      continue;
    }
    if (typeof value === 'string' && isIntrinsic(value)) {
      output[key.slice(0, -2)] = evaluateIntrinsic(value, input, context);
      continue;
    }
    if (typeof value !== 'string' || !value.startsWith('$')) {
      throw runtimeError(`Field '${key}' must hold a JSONPath or States.Format(...)`);
    }
    output[key.slice(0, -2)] = readPath(value, input, context);
  }
  return output;
}
