/**
 * The intrinsic functions our definition uses: `States.Format('template {}', $.path, 'literal', 3)`, which CDK emits
 * where ECS needs a number as a string (the Fargate worker's CHUNK_INDEX). Others fail with States.Runtime.
 */
import { runtimeError } from './errors.js';
import { readPath } from './json-path.js';

/** True when a `.$` field holds an intrinsic call rather than a JSONPath. */
export function isIntrinsic(expression: string): boolean {
  return /^States\.\w+\(/.test(expression);
}

/** Evaluates an intrinsic call against the state's input and the context object. */
export function evaluateIntrinsic(expression: string, input: unknown, context: unknown): unknown {
  const call = /^States\.(\w+)\((.*)\)$/s.exec(expression.trim());
  if (!call) throw runtimeError(`Malformed intrinsic function: ${expression}`);
  const [, name, argText] = call as unknown as [string, string, string];
  const args = splitArguments(argText).map((arg) => argumentValue(arg, input, context));
  if (name !== 'Format') throw runtimeError(`Intrinsic function States.${name} is not supported locally`);
  const [template, ...values] = args;
  if (typeof template !== 'string') throw runtimeError('States.Format needs a string template first');
  let next = 0;
  const text = template.replace(/\{\}/g, () => {
    if (next >= values.length) throw runtimeError(`States.Format has more {} than arguments: ${expression}`);
    const value = values[next++];
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  if (next !== values.length) throw runtimeError(`States.Format has more arguments than {}: ${expression}`);
  return text;
}

function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted && ch === '\\') {
      current += ch + (text[++i] ?? '');
    } else if (ch === "'") {
      quoted = !quoted;
      current += ch;
    } else if (ch === ',' && !quoted) {
      args.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') args.push(current.trim());
  return args;
}

function argumentValue(arg: string, input: unknown, context: unknown): unknown {
  if (arg.startsWith("'") && arg.endsWith("'")) return arg.slice(1, -1).replace(/\\(.)/g, '$1');
  if (arg.startsWith('$')) return readPath(arg, input, context);
  if (arg === 'null') return null;
  if (arg === 'true' || arg === 'false') return arg === 'true';
  const n = Number(arg);
  if (arg !== '' && Number.isFinite(n)) return n;
  throw runtimeError(`Unsupported intrinsic argument: ${arg}`);
}
