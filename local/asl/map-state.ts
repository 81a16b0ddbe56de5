/**
 * The Map state (Distributed or Inline mode): reads its items (ItemReader from the object store, or ItemsPath),
 * shapes each with ItemSelector, runs them through the item runner with at most MaxConcurrency in flight, applies
 * the tolerated-failure threshold, and returns the results (or writes them with ResultWriter).
 */
import { randomUUID } from 'node:crypto';
import { runBounded } from './bounded-pool.js';
import type { StateDefinition, StateMachineDefinition } from './definition.js';
import { isObject } from './definition.js';
import { type ExecutionContext, type RunEnvironment, throwIfStopped } from './environment.js';
import { runtimeError, StatesError, toStatesError } from './errors.js';
import { readPath } from './json-path.js';
import { evaluateTemplate } from './payload-template.js';
import { type MapItemRecord, writeMapResults } from './result-writer.js';

const THRESHOLD_EXCEEDED = 'States.ExceedToleratedFailureThreshold';

/**
 * Runs Map state `name` on its effective input (after InputPath) and returns its raw result, before
 * ResultSelector/ResultPath/OutputPath. Throws States.ExceedToleratedFailureThreshold (Distributed) or the first
 * item's error (Inline) when too many items fail; throws ExecutionStopped when the execution stops.
 */
export async function runMapState(
  name: string,
  state: StateDefinition,
  effectiveInput: unknown,
  context: ExecutionContext,
  env: RunEnvironment,
): Promise<unknown> {
  const processor = (state.ItemProcessor ?? state.Iterator) as StateMachineDefinition;
  const distributed = state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
  const items = await readItems(state, effectiveInput, context, env);
  const concurrency = maxConcurrency(state, effectiveInput, context) || env.defaultMaxConcurrency;
  const mapRunId = randomUUID();
  const records: MapItemRecord[] = items.map((item, index) => ({
    executionArn: `${context.Execution.Id}/${name}:${index}`,
    name: `${mapRunId}:${index}`,
    input: item,
    status: 'PENDING',
  }));
  const failures: StatesError[] = [];
  const tooManyFailures = (): boolean => exceedsThreshold(state, failures.length, items.length);

  await runBounded(
    items.length,
    concurrency,
    async (index) => {
      const record = records[index]!;
      const startDate = env.now().toISOString();
      try {
        const input = selectItemInput(state, effectiveInput, context, items[index], index);
        records[index] = { ...record, input, startDate };
        const output = await env.runMapItem({
          mapStateName: name,
          index,
          processor,
          input,
          // Distributed items are child executions with their own $$.Execution; inline iterations share the parent's.
          context: distributed ? childContext(context, record, input, startDate) : context,
          signal: env.signal,
        });
        records[index] = {
          ...records[index]!,
          output,
          stopDate: env.now().toISOString(),
          status: 'SUCCEEDED',
        };
      } catch (thrown) {
        const error = toStatesError(thrown);
        failures.push(error);
        records[index] = {
          ...records[index]!,
          error: error.name,
          cause: error.cause,
          stopDate: env.now().toISOString(),
          status: 'FAILED',
        };
      }
    },
    () => env.signal.aborted || tooManyFailures(),
  );
  throwIfStopped(env.signal);

  const failed = tooManyFailures();
  const result = state.ResultWriter
    ? await writeResults(state, effectiveInput, context, env, name, mapRunId, records)
    : records.map((record) => (record.status === 'SUCCEEDED' ? record.output : null));
  if (failed) {
    throw distributed || failures[0] === undefined
      ? new StatesError(THRESHOLD_EXCEEDED, 'The specified tolerated failure threshold was exceeded')
      : failures[0];
  }
  return result;
}

async function readItems(
  state: StateDefinition,
  effectiveInput: unknown,
  context: ExecutionContext,
  env: RunEnvironment,
): Promise<readonly unknown[]> {
  const reader = state.ItemReader;
  let items: unknown;
  if (reader) {
    const location = evaluateTemplate(reader.Parameters ?? {}, effectiveInput, context);
    if (!isObject(location) || typeof location.Bucket !== 'string' || typeof location.Key !== 'string') {
      throw runtimeError('ItemReader Parameters must give a Bucket and a Key');
    }
    throwIfStopped(env.signal);
    try {
      items = await env.objects.getJson(location.Bucket, location.Key);
    } catch (thrown) {
      throw new StatesError('States.ItemReaderFailed', toStatesError(thrown).cause);
    }
    if (!Array.isArray(items)) {
      throw new StatesError(
        'States.ItemReaderFailed',
        `s3://${location.Bucket}/${location.Key} is no JSON array`,
      );
    }
    const maxItems = reader.ReaderConfig?.MaxItems;
    return maxItems ? items.slice(0, maxItems) : items;
  }
  items = readPath(state.ItemsPath ?? '$', effectiveInput, context);
  if (!Array.isArray(items)) throw runtimeError(`Map items at '${state.ItemsPath ?? '$'}' are not an array`);
  return items;
}

function maxConcurrency(state: StateDefinition, effectiveInput: unknown, context: ExecutionContext): number {
  if (state.MaxConcurrencyPath === undefined) return state.MaxConcurrency ?? 0;
  const value = readPath(state.MaxConcurrencyPath, effectiveInput, context);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw runtimeError(`MaxConcurrencyPath '${state.MaxConcurrencyPath}' must select a non-negative integer`);
  }
  return value;
}

/** ItemSelector (or the legacy Parameters) sees the Map's effective input as `$` and the item under `$$.Map.Item`. */
function selectItemInput(
  state: StateDefinition,
  effectiveInput: unknown,
  context: ExecutionContext,
  item: unknown,
  index: number,
): unknown {
  const selector = state.ItemSelector ?? state.Parameters;
  if (selector === undefined) return item;
  return evaluateTemplate(selector, effectiveInput, {
    ...context,
    Map: { Item: { Index: index, Value: item } },
  });
}

function childContext(
  parent: ExecutionContext,
  record: MapItemRecord,
  input: unknown,
  startTime: string,
): ExecutionContext {
  return {
    Execution: { Id: record.executionArn, Name: record.name, Input: input, StartTime: startTime },
    StateMachine: parent.StateMachine,
  };
}

/**
 * With neither tolerance set, one failure is too many; otherwise the Map fails once the failure count exceeds
 * ToleratedFailureCount or the failed share of all items exceeds ToleratedFailurePercentage.
 */
function exceedsThreshold(state: StateDefinition, failed: number, total: number): boolean {
  const count = state.ToleratedFailureCount;
  const percentage = state.ToleratedFailurePercentage;
  if (count === undefined && percentage === undefined) return failed > 0;
  return (
    (count !== undefined && failed > count) ||
    (percentage !== undefined && (failed * 100) / total > percentage)
  );
}

async function writeResults(
  state: StateDefinition,
  effectiveInput: unknown,
  context: ExecutionContext,
  env: RunEnvironment,
  name: string,
  mapRunId: string,
  records: readonly MapItemRecord[],
): Promise<unknown> {
  const target = evaluateTemplate(state.ResultWriter?.Parameters ?? {}, effectiveInput, context);
  if (!isObject(target) || typeof target.Bucket !== 'string')
    throw runtimeError('ResultWriter needs a Bucket');
  const stateMachineArn = context.StateMachine.Id;
  return writeMapResults(
    env.objects,
    {
      bucket: target.Bucket,
      prefix: typeof target.Prefix === 'string' ? target.Prefix : '',
      mapRunArn: `${stateMachineArn.replace(':stateMachine:', ':mapRun:')}/${name}:${mapRunId}`,
      mapRunId,
      stateMachineArn,
    },
    records,
  );
}
