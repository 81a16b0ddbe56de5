/**
 * The subset of the Amazon States Language (JSONPath flavour) that the local executor interprets, and a check that
 * a definition stays inside it, so an unsupported field fails at start-up rather than being silently ignored.
 */

/** A JSON object template whose `key.$` fields are JSONPath references (Parameters, ItemSelector, ResultSelector). */
export type PayloadTemplate = Readonly<Record<string, unknown>>;

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

/** A Choice rule: a data test on `Variable`, or a boolean combination, with `Next` on top-level rules. */
export interface ChoiceRule {
  readonly Variable?: string;
  readonly And?: readonly ChoiceRule[];
  readonly Or?: readonly ChoiceRule[];
  readonly Not?: ChoiceRule;
  readonly Next?: string;
  readonly [comparison: string]: unknown;
}

export interface ItemReader {
  readonly Resource: string;
  readonly ReaderConfig?: { readonly InputType?: string; readonly MaxItems?: number };
  readonly Parameters?: PayloadTemplate;
}

export interface ResultWriter {
  readonly Resource: string;
  readonly Parameters?: PayloadTemplate;
}

/** Every field any supported state may carry; which ones apply depends on `Type`. */
export interface StateDefinition {
  readonly Type: 'Task' | 'Map' | 'Choice' | 'Pass' | 'Wait' | 'Succeed' | 'Fail';
  readonly Next?: string;
  readonly End?: boolean;
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
  readonly ResultPath?: string | null;
  readonly Parameters?: PayloadTemplate;
  readonly ResultSelector?: PayloadTemplate;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  // Task
  readonly Resource?: string;
  readonly TimeoutSeconds?: number;
  // Map
  readonly ItemProcessor?: StateMachineDefinition & {
    readonly ProcessorConfig?: { readonly Mode?: string; readonly ExecutionType?: string };
  };
  readonly Iterator?: StateMachineDefinition;
  readonly ItemReader?: ItemReader;
  readonly ItemsPath?: string;
  readonly ItemSelector?: PayloadTemplate;
  readonly MaxConcurrency?: number;
  readonly MaxConcurrencyPath?: string;
  readonly ResultWriter?: ResultWriter;
  readonly ToleratedFailurePercentage?: number;
  readonly ToleratedFailureCount?: number;
  // Choice
  readonly Choices?: readonly ChoiceRule[];
  readonly Default?: string;
  // Pass
  readonly Result?: unknown;
  // Wait
  readonly Seconds?: number;
  readonly SecondsPath?: string;
  readonly Timestamp?: string;
  readonly TimestampPath?: string;
  // Fail
  readonly Error?: string;
  readonly Cause?: string;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
}

export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, StateDefinition>>;
  readonly QueryLanguage?: string;
  readonly Comment?: string;
}

const SUPPORTED_TYPES = new Set(['Task', 'Map', 'Choice', 'Pass', 'Wait', 'Succeed', 'Fail']);

/** Fields that change behaviour and that this executor does not implement: refusing them beats ignoring them. */
const UNSUPPORTED_FIELDS = [
  'ItemBatcher',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCountPath',
  'HeartbeatSeconds',
  'HeartbeatSecondsPath',
  'TimeoutSecondsPath',
  'Arguments',
  'Output',
  'Assign',
];

/**
 * Checks that `definition` is a parsed ASL state machine within the supported subset and returns it typed.
 * Nested ItemProcessor graphs are checked too. Throws an Error naming the offending state otherwise.
 */
export function validateDefinition(definition: unknown): StateMachineDefinition {
  checkGraph(definition, '');
  return definition as StateMachineDefinition;
}

function checkGraph(graph: unknown, where: string): void {
  if (!isObject(graph) || typeof graph.StartAt !== 'string' || !isObject(graph.States)) {
    throw new Error(`ASL definition${where}: expected an object with StartAt and States`);
  }
  if (graph.QueryLanguage !== undefined && graph.QueryLanguage !== 'JSONPath') {
    throw new Error(`ASL definition${where}: only QueryLanguage JSONPath is supported`);
  }
  const names = new Set(Object.keys(graph.States));
  if (!names.has(graph.StartAt))
    throw new Error(`ASL definition${where}: StartAt "${graph.StartAt}" is no state`);
  for (const [name, state] of Object.entries(graph.States)) checkState(name, state, names, where);
}

function checkState(name: string, state: unknown, names: ReadonlySet<string>, where: string): void {
  const label = `state "${name}"${where}`;
  if (!isObject(state) || typeof state.Type !== 'string' || !SUPPORTED_TYPES.has(state.Type)) {
    throw new Error(`${label}: unsupported Type ${isObject(state) ? String(state.Type) : ''}`);
  }
  if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
    throw new Error(`${label}: only QueryLanguage JSONPath is supported`);
  }
  for (const field of UNSUPPORTED_FIELDS) {
    if (field in state) throw new Error(`${label}: ${field} is not supported by the local executor`);
  }
  const targets = [
    state.Next,
    state.Default,
    ...asArray(state.Catch).map((c) => (isObject(c) ? c.Next : undefined)),
    ...asArray(state.Choices).map((c) => (isObject(c) ? c.Next : undefined)),
  ];
  for (const target of targets) {
    if (target !== undefined && (typeof target !== 'string' || !names.has(target))) {
      throw new Error(`${label}: transition to unknown state "${String(target)}"`);
    }
  }
  const ends = state.Type === 'Choice' || state.Type === 'Succeed' || state.Type === 'Fail';
  if (!ends && state.End !== true && state.Next === undefined) throw new Error(`${label}: needs Next or End`);
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    checkGraph(processor, ` (item processor of "${name}"${where})`);
    if (isObject(state.ItemReader) && state.ItemReader.Resource !== 'arn:aws:states:::s3:getObject') {
      throw new Error(`${label}: only the s3:getObject ItemReader is supported`);
    }
    const inputType =
      isObject(state.ItemReader) && isObject(state.ItemReader.ReaderConfig)
        ? state.ItemReader.ReaderConfig.InputType
        : undefined;
    if (inputType !== undefined && inputType !== 'JSON') {
      throw new Error(`${label}: only ReaderConfig.InputType JSON is supported`);
    }
    if (isObject(state.ResultWriter) && state.ResultWriter.Resource !== 'arn:aws:states:::s3:putObject') {
      throw new Error(`${label}: only the s3:putObject ResultWriter is supported`);
    }
  }
  if (state.Type === 'Task' && typeof state.Resource !== 'string')
    throw new Error(`${label}: needs a Resource`);
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
