/**
 * Invokes a Task state's Resource with a local handler: a Lambda ARN calls the handler with the effective input
 * and returns its result as is; `arn:aws:states:::lambda:invoke` calls the handler named by `FunctionName` with
 * `Payload` and wraps the result as the service integration does (`{ Payload, StatusCode, ExecutedVersion }`).
 * Any other resource (say `arn:aws:states:::ecs:runTask.sync`) calls the handler registered for it with the
 * effective input.
 */
import { isObject } from './definition.js';
import { runtimeError } from './errors.js';

/** A local stand-in for a Lambda function or service integration. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Handlers keyed by function name, full ARN, or an ARN's trailing `:`-separated suffix. */
export type TaskHandlers = Readonly<Record<string, TaskHandler>>;

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;

/** Finds the handler for a function name or resource ARN; throws States.Runtime when none is registered. */
export function findTaskHandler(tasks: TaskHandlers, target: string): TaskHandler {
  const functionName = FUNCTION_ARN.exec(target)?.[1];
  const direct = tasks[target] ?? (functionName === undefined ? undefined : tasks[functionName]);
  if (direct) return direct;
  const suffix = Object.keys(tasks)
    .filter((key) => target.endsWith(`:${key}`))
    .sort((a, b) => b.length - a.length)[0];
  const handler = suffix === undefined ? undefined : tasks[suffix];
  if (!handler) throw runtimeError(`No local task handler for '${target}'`);
  return handler;
}

/** Runs the Task `resource` on its effective input (after InputPath and Parameters) and returns the raw result. */
export async function invokeTaskResource(
  tasks: TaskHandlers,
  resource: string,
  effectiveInput: unknown,
): Promise<unknown> {
  if (resource !== LAMBDA_INVOKE) return findTaskHandler(tasks, resource)(effectiveInput);
  if (!isObject(effectiveInput) || typeof effectiveInput.FunctionName !== 'string') {
    throw runtimeError(`${LAMBDA_INVOKE} needs Parameters.FunctionName`);
  }
  const handler = findTaskHandler(tasks, effectiveInput.FunctionName);
  // Lambda receives an empty event when the integration sends no Payload.
  const payload = await handler(effectiveInput.Payload ?? {});
  return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
}
