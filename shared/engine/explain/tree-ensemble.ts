/**
 * Reads an ai.onnx.ml TreeEnsembleRegressor/TreeEnsembleClassifier straight from the ONNX graph into flat typed
 * arrays, together with the column-local preprocessing in front of it (Cast, Identity, Scaler, Imputer, Concat),
 * so the ensemble can be evaluated and explained in JavaScript per original CSV column. Pure: bytes in, data out.
 */
import {
  decodeModel,
  type GraphProto,
  int64ToNumber,
  ML_DOMAIN,
  type NodeProto,
} from '../model/onnx-proto-io.js';

/** Split comparisons, in the order of the ONNX `nodes_modes` strings. */
const MODES = ['LEAF', 'BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'];
export const MODE_LEAF = 0;

/** How one ensemble feature is computed from a raw model-input value (applied in order). */
export type FeatureStep =
  | { readonly kind: 'impute'; readonly replaced: number; readonly value: number }
  | { readonly kind: 'affine'; readonly offset: number; readonly scale: number };

/**
 * Where an ensemble feature comes from: a position of a graph input, and the steps applied to it. With
 * `category` (a OneHotEncoder output) the feature is 1 when the cell's text equals it, else 0, before the steps.
 */
export interface FeatureSource {
  readonly input: string;
  readonly position: number;
  readonly category?: string;
  readonly steps: readonly FeatureStep[];
}

/** A parsed ensemble: every tree's nodes in one set of parallel arrays (node index = global slot). */
export interface TreeEnsemble {
  readonly opType: 'TreeEnsembleRegressor' | 'TreeEnsembleClassifier';
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** Index into MODES; MODE_LEAF for leaves. */
  readonly mode: Uint8Array;
  readonly ifTrue: Int32Array;
  readonly ifFalse: Int32Array;
  readonly missingTrue: Uint8Array;
  /** Leaf weights, `outputs` per node (0 for internal nodes); AVERAGE aggregation is folded in. */
  readonly weights: Float64Array;
  readonly outputs: number;
  readonly baseValues: Float64Array;
  readonly postTransform: string;
  /** Float attributes: onnxruntime compares float32-rounded inputs with float32 thresholds. */
  readonly float32: boolean;
  /** Deepest root-to-leaf path (edges). */
  readonly maxDepth: number;
  /** One entry per ensemble feature. */
  readonly sources: readonly FeatureSource[];
  /** Class labels of a classifier (as strings), empty for a regressor. */
  readonly classLabels: readonly string[];
}

/**
 * Ops that keep each feature a function of one input value, and that we replay in JS. Reshape is taken as a
 * row-major flattening ([N,1,C] → [N,C], as skl2onnx uses it); anything else it might do is caught by the
 * explainer's check against onnxruntime.
 */
const PASS_THROUGH = new Set(['Cast', 'Identity', 'Reshape']);

/**
 * Finds the single tree ensemble of a graph and parses it with the preprocessing that feeds it. Returns null
 * when there is no ensemble, more than one, or a preprocessing op this reader does not replay (the caller then
 * explains the model through onnxruntime instead).
 */
export function readTreeEnsemble(bytes: Uint8Array): TreeEnsemble | null {
  const { graph } = decodeModel(bytes);
  const ensembles = graph.node.filter(
    (n) =>
      n.domain === ML_DOMAIN &&
      (n.opType === 'TreeEnsembleRegressor' || n.opType === 'TreeEnsembleClassifier'),
  );
  if (ensembles.length !== 1) return null;
  const node = ensembles[0] as NodeProto;
  const sources = traceFeatures(graph, node.input?.[0] ?? '');
  if (sources === null) return null;
  return parseEnsemble(node, sources);
}

function parseEnsemble(node: NodeProto, sources: FeatureSource[]): TreeEnsemble | null {
  const a = new Attributes(node);
  const classifier = node.opType === 'TreeEnsembleClassifier';
  const treeIds = a.ints('nodes_treeids');
  const nodeIds = a.ints('nodes_nodeids');
  const n = treeIds.length;
  const values = a.doubles('nodes_values_as_tensor') ?? a.floats('nodes_values');
  const float32 = a.doubles('nodes_values_as_tensor') === null;
  const modes = a.strings('nodes_modes');
  const features = a.ints('nodes_featureids');
  const trueIds = a.ints('nodes_truenodeids');
  const falseIds = a.ints('nodes_falsenodeids');
  const missing = a.ints('nodes_missing_value_tracks_true');
  const prefix = classifier ? 'class' : 'target';
  const leafTrees = a.ints(`${prefix}_treeids`);
  const leafNodes = a.ints(`${prefix}_nodeids`);
  const leafIds = a.ints(`${prefix}_ids`);
  const leafWeights = a.doubles(`${prefix}_weights_as_tensor`) ?? a.floats(`${prefix}_weights`) ?? [];
  const labels = a.strings('classlabels_strings');
  const classLabels = labels.length > 0 ? labels : a.ints('classlabels_int64s').map(String);
  if (n === 0 || values === null || modes.length !== n || nodeIds.length !== n) return null;

  const slot = new Map<string, number>();
  for (let i = 0; i < n; i++) slot.set(`${treeIds[i]}:${nodeIds[i]}`, i);
  const find = (tree: number, id: number): number => {
    const s = slot.get(`${tree}:${id}`);
    if (s === undefined) throw new Error(`tree ${tree} has no node ${id}`);
    return s;
  };
  const outputs = Math.max(1, ...leafIds.map((id) => id + 1));
  const ensemble = {
    feature: Int32Array.from(features),
    threshold: Float64Array.from(values),
    mode: Uint8Array.from(modes, (m) => Math.max(0, MODES.indexOf(m))),
    ifTrue: new Int32Array(n),
    ifFalse: new Int32Array(n),
    missingTrue: Uint8Array.from({ length: n }, (_, i) => missing[i] ?? 0),
    weights: new Float64Array(n * outputs),
  };
  const treeOrder: number[] = [];
  const rootOf = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const tree = treeIds[i] as number;
    if (!rootOf.has(tree)) {
      treeOrder.push(tree);
      rootOf.set(tree, i);
    }
    if (ensemble.mode[i] !== MODE_LEAF) {
      ensemble.ifTrue[i] = find(tree, trueIds[i] as number);
      ensemble.ifFalse[i] = find(tree, falseIds[i] as number);
    }
  }
  const aggregate = a.string('aggregate_function') ?? 'SUM';
  const scale = aggregate === 'AVERAGE' ? 1 / treeOrder.length : 1;
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE') return null;
  leafTrees.forEach((tree, k) => {
    const s = find(tree, leafNodes[k] as number);
    const at = s * outputs + (leafIds[k] as number);
    ensemble.weights[at] = (ensemble.weights[at] as number) + (leafWeights[k] as number) * scale;
  });
  const roots = Int32Array.from(treeOrder, (t) => rootOf.get(t) as number);
  const maxDepth = Math.max(...Array.from(roots, (r) => depthOf(ensemble, r)));
  const maxFeature = Math.max(-1, ...features);
  if (maxFeature >= sources.length) return null;
  return {
    opType: classifier ? 'TreeEnsembleClassifier' : 'TreeEnsembleRegressor',
    roots,
    ...ensemble,
    outputs,
    baseValues: Float64Array.from(a.doubles('base_values_as_tensor') ?? a.floats('base_values') ?? []),
    postTransform: a.string('post_transform') ?? 'NONE',
    float32,
    maxDepth,
    sources,
    classLabels: classifier ? classLabels : [],
  };
}

function depthOf(e: { mode: Uint8Array; ifTrue: Int32Array; ifFalse: Int32Array }, node: number): number {
  if (e.mode[node] === MODE_LEAF) return 0;
  return 1 + Math.max(depthOf(e, e.ifTrue[node] as number), depthOf(e, e.ifFalse[node] as number));
}

/** Applies a feature's preprocessing steps to its raw input value. */
export function applySteps(steps: readonly FeatureStep[], raw: number, float32: boolean): number {
  let v = raw;
  for (const step of steps) {
    if (step.kind === 'impute') {
      if (Number.isNaN(v) || v === step.replaced) v = step.value;
    } else {
      v = (v - step.offset) * step.scale;
    }
    if (float32) v = Math.fround(v);
  }
  return v;
}

/**
 * Follows the ensemble input back to graph inputs through ops that act on each feature alone. Returns one source
 * per feature, or null when an op in between mixes features or is not replayed here.
 */
function traceFeatures(graph: GraphProto, tensor: string): FeatureSource[] | null {
  const input = graph.input.find((i) => i.name === tensor);
  if (input) {
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    const width = dims.length === 2 ? int64ToNumber(dims[1]?.dimValue) : 1;
    if (!(width >= 1)) return null;
    return Array.from({ length: width }, (_, position) => ({ input: tensor, position, steps: [] }));
  }
  const producer = graph.node.find((n) => n.output?.includes(tensor));
  if (!producer) return null;
  const op = producer.opType ?? '';
  const from = producer.input?.[0] ?? '';
  if (PASS_THROUGH.has(op)) return traceFeatures(graph, from);
  if (op === 'Concat') {
    const axis = new Attributes(producer).int('axis');
    if (axis !== 1 && axis !== -1) return null;
    const parts = (producer.input ?? []).map((name) => traceFeatures(graph, name));
    return parts.some((p) => p === null) ? null : (parts as FeatureSource[][]).flat();
  }
  if (producer.domain !== ML_DOMAIN) return null;
  if (op === 'OneHotEncoder') return oneHotFeatures(graph, producer);
  if (op !== 'Scaler' && op !== 'Imputer') return null;
  const sources = traceFeatures(graph, from);
  if (sources === null) return null;
  const a = new Attributes(producer);
  const pick = (values: number[], i: number): number | undefined =>
    values.length === 1 ? values[0] : values[i];
  const steps = sources.map((_, i): FeatureStep | undefined => {
    if (op === 'Scaler') {
      const offset = pick(a.floats('offset') ?? [0], i);
      const scale = pick(a.floats('scale') ?? [1], i);
      return offset === undefined || scale === undefined ? undefined : { kind: 'affine', offset, scale };
    }
    const value = pick(a.floats('imputed_value_floats') ?? [], i);
    const replaced = a.float('replaced_value_float') ?? Number.NaN;
    return value === undefined ? undefined : { kind: 'impute', replaced, value };
  });
  if (steps.some((s) => s === undefined)) return null;
  return sources.map((s, i) => ({ ...s, steps: [...s.steps, steps[i] as FeatureStep] }));
}

/** OneHotEncoder: one feature per (input column, category), in the row-major order of its [N, F, C] output. */
function oneHotFeatures(graph: GraphProto, node: NodeProto): FeatureSource[] | null {
  const sources = traceFeatures(graph, node.input?.[0] ?? '');
  if (sources === null || sources.some((s) => s.steps.length > 0 || s.category !== undefined)) return null;
  const a = new Attributes(node);
  const strings = a.strings('cats_strings');
  const categories = strings.length > 0 ? strings : a.ints('cats_int64s').map(String);
  if (categories.length === 0) return null;
  return sources.flatMap((s) => categories.map((category) => ({ ...s, category })));
}

const utf8 = new TextDecoder('utf-8');

/** Attribute access by name with plain-number results. */
class Attributes {
  constructor(private readonly node: NodeProto) {}
  private find(name: string) {
    return this.node.attribute?.find((a) => a.name === name);
  }
  ints(name: string): number[] {
    return (this.find(name)?.ints ?? []).map((v) => int64ToNumber(v));
  }
  int(name: string): number | undefined {
    const attr = this.find(name);
    return attr ? int64ToNumber(attr.i) : undefined;
  }
  floats(name: string): number[] | null {
    const values = this.find(name)?.floats;
    return values && values.length > 0 ? Array.from(values, Number) : null;
  }
  float(name: string): number | undefined {
    const attr = this.find(name);
    return attr?.f === undefined || attr.f === null ? undefined : Number(attr.f);
  }
  doubles(name: string): number[] | null {
    const t = this.find(name)?.t;
    if (!t) return null;
    if (t.doubleData && t.doubleData.length > 0) return Array.from(t.doubleData, Number);
    if (t.rawData && t.rawData.length > 0) {
      const raw = t.rawData;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.byteLength / 8 }, (_, i) => view.getFloat64(i * 8, true));
    }
    return null;
  }
  strings(name: string): string[] {
    return (this.find(name)?.strings ?? []).map((s) => utf8.decode(s));
  }
  string(name: string): string | undefined {
    const s = this.find(name)?.s;
    return s && s.length > 0 ? utf8.decode(s) : undefined;
  }
}
