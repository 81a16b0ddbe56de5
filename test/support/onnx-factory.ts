/**
 * Builds small ONNX models in TypeScript, laid out the way skl2onnx / onnxmltools emit them (ai.onnx.ml ops,
 * ai.onnx.ml opset 1 or 3, ai.onnx opset 11..17), so tests need no Python and no binary fixtures. Every builder
 * returns model bytes; the tree helpers (types, seeded random trees, a plain JS walk) let tests compute the
 * expected outputs independently of the ONNX encoding.
 */

import type { onnx as OnnxTypes } from 'onnx-proto';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const ML = 'ai.onnx.ml';

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

/** A deterministic pseudo-random source (mulberry32), so generated models are identical run to run. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** Creates a seeded PRNG. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    int: (n) => Math.floor(next() * n),
  };
}

const horner = (coefficients: readonly number[], x: number): number =>
  coefficients.reduce((acc, c) => acc * x + c, 0);

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572, 1,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1];
  const lowTail = (q: number): number => {
    const t = Math.sqrt(-2 * Math.log(q));
    return horner(c, t) / horner(d, t);
  };
  if (p < 0.02425) return lowTail(p);
  if (p > 1 - 0.02425) return -lowTail(1 - p);
  const q = p - 0.5;
  return (horner(a, q * q) * q) / horner(b, q * q);
}

// ---------------------------------------------------------------------------------------------------------------
// Protobuf building blocks

/** Element types the factory can declare on inputs and outputs. */
export type ElemType = 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool';

const ELEM_CODES: Record<ElemType, number> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int64: DataType.INT64,
  int32: DataType.INT32,
  string: DataType.STRING,
  bool: DataType.BOOL,
};

/** A declared dimension: a fixed size, a symbolic name, or null for an unnamed unknown size. */
export type Dim = number | string | null;

type ValueInfo = OnnxTypes.IValueInfoProto;
type NodeProto = OnnxTypes.INodeProto;
type AttributeProto = OnnxTypes.IAttributeProto;

const encoder = new TextEncoder();
const AttrType = onnx.AttributeProto.AttributeType;

const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: AttrType.INT, i }),
  ints: (name: string, ints: readonly number[]): AttributeProto => ({
    name,
    type: AttrType.INTS,
    ints: [...ints],
  }),
  floats: (name: string, floats: readonly number[]): AttributeProto => ({
    name,
    type: AttrType.FLOATS,
    floats: [...floats],
  }),
  string: (name: string, s: string): AttributeProto => ({
    name,
    type: AttrType.STRING,
    s: encoder.encode(s),
  }),
  strings: (name: string, strings: readonly string[]): AttributeProto => ({
    name,
    type: AttrType.STRINGS,
    strings: strings.map((s) => encoder.encode(s)),
  }),
  doubles: (name: string, values: readonly number[]): AttributeProto => ({
    name,
    type: AttrType.TENSOR,
    t: { dims: [values.length], dataType: DataType.DOUBLE, doubleData: [...values] },
  }),
};

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: AttributeProto[] = [],
  domain = '',
): NodeProto {
  return {
    opType,
    domain,
    name: outputs[0] ?? opType,
    input: inputs,
    output: outputs,
    attribute: attributes,
  };
}

/** A tensor ValueInfo; `dims` undefined leaves the shape undeclared. */
function tensorInfo(name: string, elemType: ElemType, dims?: readonly Dim[]): ValueInfo {
  const dimProtos = dims?.map((d) =>
    d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d },
  );
  return {
    name,
    type: {
      tensorType: { elemType: ELEM_CODES[elemType], ...(dimProtos ? { shape: { dim: dimProtos } } : {}) },
    },
  };
}

function zipMapOutputInfo(name: string, labels: ClassLabels): ValueInfo {
  const keyType = typeof labels[0] === 'string' ? DataType.STRING : DataType.INT64;
  return {
    name,
    type: {
      sequenceType: {
        elemType: { mapType: { keyType, valueType: { tensorType: { elemType: DataType.FLOAT } } } },
      },
    },
  };
}

/** Opset choice; defaults ai.onnx 15, ai.onnx.ml 1 (what skl2onnx 1.11+ emits for these ops). */
export interface OpsetOptions {
  /** ai.onnx opset, 11..17. */
  onnxOpset?: number;
  /** ai.onnx.ml opset, 1 or 3 (3 adds the double `_as_tensor` tree attributes). */
  mlOpset?: 1 | 3;
}

interface GraphParts {
  nodes: NodeProto[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  opsets: OpsetOptions;
  usesMl: boolean;
}

function encodeModel(parts: GraphParts): Uint8Array {
  const onnxOpset = parts.opsets.onnxOpset ?? 15;
  const mlOpset = parts.opsets.mlOpset ?? 1;
  const opsetImport = [
    { domain: '', version: onnxOpset },
    ...(parts.usesMl ? [{ domain: ML, version: mlOpset }] : []),
  ];
  const model = onnx.ModelProto.create({
    // IR 8 came with ai.onnx 13 / ai.onnx.ml 3; older opsets ship as IR 7 like skl2onnx 1.11 did.
    irVersion: onnxOpset >= 13 || mlOpset >= 3 ? 8 : 7,
    producerName: 'batchline-test-factory',
    producerVersion: '1.0',
    opsetImport,
    graph: {
      name: 'factory_graph',
      node: parts.nodes,
      input: parts.inputs,
      output: parts.outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

// ---------------------------------------------------------------------------------------------------------------
// Feature inputs

/** How the features reach the model: one float [N,F] tensor, or one float [N,1] tensor per column + Concat. */
export type FeatureInput = { kind: 'matrix'; name?: string } | { kind: 'columns'; names: string[] };

interface FeatureWiring {
  inputs: ValueInfo[];
  nodes: NodeProto[];
  /** Name of the [N,F] tensor the estimator reads. */
  tensor: string;
}

function wireFeatures(
  input: FeatureInput | undefined,
  features: number,
  elemType: 'float32' | 'float64',
  batch: Dim,
): FeatureWiring {
  if (!input || input.kind === 'matrix') {
    const name = input?.name ?? 'input';
    return { inputs: [tensorInfo(name, elemType, [batch, features])], nodes: [], tensor: name };
  }
  if (input.names.length !== features) {
    throw new Error(
      `FeatureInput lists ${input.names.length} columns but the model has ${features} features`,
    );
  }
  return {
    inputs: input.names.map((n) => tensorInfo(n, elemType, [batch, 1])),
    nodes: [node('Concat', input.names, ['merged_columns'], [attr.int('axis', 1)])],
    tensor: 'merged_columns',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Trees

/** An internal node: rows with `x[feature] <= threshold` (BRANCH_LEQ) go to `ifTrue`. */
export interface TreeSplit {
  feature: number;
  threshold: number;
  /** NaN goes to `ifTrue` when set, else to `ifFalse` (ORT: a failed comparison). */
  missingTracksTrue?: boolean;
  ifTrue: TreeNode;
  ifFalse: TreeNode;
}

/** A leaf: one weight per output column (class or regression target). */
export interface TreeLeaf {
  weights: number[];
}

export type TreeNode = TreeSplit | TreeLeaf;

/** Comparison used by every split of an ensemble (xgboost emits BRANCH_LT, sklearn/lightgbm BRANCH_LEQ). */
export type BranchMode = 'BRANCH_LEQ' | 'BRANCH_LT';

/** Threshold and leaf precision: float32 (ai.onnx.ml float attributes) or float64 (`_as_tensor`, opset 3). */
export type TreePrecision = 'float32' | 'float64';

/** Options for `randomTrees`. */
export interface RandomTreeOptions {
  seed: number;
  trees: number;
  /** Every leaf sits at this depth (complete trees). */
  depth: number;
  features: number;
  /** Weights per leaf (1 for regressors and the binary single-column layout, C for per-class layouts). */
  columns?: number;
  /** Standard deviation of the normal leaf weights; default 0.1. */
  leafScale?: number;
  /** Fraction of splits that send NaN to the true branch; default 0.5. */
  missingTrueRate?: number;
}

/**
 * Random complete trees whose thresholds split standard-normal features evenly: each split cuts the feature's
 * remaining probability interval on the path near its middle, so leaves receive similar shares of N(0,1) rows.
 * Thresholds and weights are float32-representable so a JS walk matches the float attributes exactly.
 */
export function randomTrees(opts: RandomTreeOptions): TreeNode[] {
  const rng = createRng(opts.seed);
  const columns = opts.columns ?? 1;
  const leafScale = opts.leafScale ?? 0.1;
  const missingTrueRate = opts.missingTrueRate ?? 0.5;
  const grow = (depth: number, intervals: Array<[number, number]>): TreeNode => {
    if (depth === 0) {
      return { weights: Array.from({ length: columns }, () => Math.fround(rng.normal() * leafScale)) };
    }
    const feature = rng.int(opts.features);
    const [lo, hi] = intervals[feature] ?? [0, 1];
    const cut = lo + (hi - lo) * (0.4 + 0.2 * rng.next());
    const withInterval = (range: [number, number]): Array<[number, number]> =>
      intervals.map((r, i) => (i === feature ? range : r));
    return {
      feature,
      threshold: Math.fround(normalQuantile(cut)),
      missingTracksTrue: rng.next() < missingTrueRate,
      ifTrue: grow(depth - 1, withInterval([lo, cut])),
      ifFalse: grow(depth - 1, withInterval([cut, hi])),
    };
  };
  const root: Array<[number, number]> = Array.from({ length: opts.features }, () => [0, 1]);
  return Array.from({ length: opts.trees }, () => grow(opts.depth, root));
}

/** Options for `evaluateTrees`. */
export interface TreeWalkOptions {
  mode?: BranchMode;
  precision?: TreePrecision;
}

/**
 * Sums the leaf weights each tree assigns to `row`, per column. With float32 precision it compares and
 * accumulates in float32 the way onnxruntime does for float attributes (same rounding when ORT sums the trees
 * in order, i.e. on one thread).
 */
export function evaluateTrees(
  trees: readonly TreeNode[],
  row: ArrayLike<number>,
  opts: TreeWalkOptions = {},
): number[] {
  const single = opts.precision !== 'float64';
  const round = single ? Math.fround : (v: number) => v;
  const lessThan = opts.mode === 'BRANCH_LT';
  let sums: number[] | undefined;
  for (const tree of trees) {
    let current = tree;
    while ('feature' in current) {
      const x = round(row[current.feature] ?? Number.NaN);
      const t = round(current.threshold);
      const goesTrue = Number.isNaN(x) ? current.missingTracksTrue === true : lessThan ? x < t : x <= t;
      current = goesTrue ? current.ifTrue : current.ifFalse;
    }
    const leaf = current.weights;
    sums ??= leaf.map(() => 0);
    for (let c = 0; c < leaf.length; c++) sums[c] = round((sums[c] ?? 0) + round(leaf[c] ?? 0));
  }
  return sums ?? [];
}

interface FlatTrees {
  nodeAttributes: AttributeProto[];
  leafTreeIds: number[];
  leafNodeIds: number[];
  leafColumns: number[];
  leafWeights: number[];
}

/** Flattens trees into the parallel `nodes_*` arrays (pre-order node ids) and one entry per leaf weight. */
function flattenTrees(trees: readonly TreeNode[], mode: BranchMode, precision: TreePrecision): FlatTrees {
  const nodes = { tree: [] as number[], id: [] as number[], feature: [] as number[], mode: [] as string[] };
  const values: number[] = [];
  const missing: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const leaves = {
    tree: [] as number[],
    node: [] as number[],
    column: [] as number[],
    weight: [] as number[],
  };
  trees.forEach((tree, treeId) => {
    let nextId = 0;
    const visit = (n: TreeNode): number => {
      const id = nextId++;
      const slot = nodes.id.length;
      const split = 'feature' in n ? n : null;
      nodes.tree.push(treeId);
      nodes.id.push(id);
      nodes.feature.push(split?.feature ?? 0);
      nodes.mode.push(split ? mode : 'LEAF');
      values.push(split?.threshold ?? 0);
      missing.push(split?.missingTracksTrue ? 1 : 0);
      trueIds.push(0);
      falseIds.push(0);
      if ('feature' in n) {
        trueIds[slot] = visit(n.ifTrue);
        falseIds[slot] = visit(n.ifFalse);
      } else {
        n.weights.forEach((w, column) => {
          leaves.tree.push(treeId);
          leaves.node.push(id);
          leaves.column.push(column);
          leaves.weight.push(w);
        });
      }
      return id;
    };
    visit(tree);
  });
  const nodeAttributes = [
    attr.ints('nodes_treeids', nodes.tree),
    attr.ints('nodes_nodeids', nodes.id),
    attr.ints('nodes_featureids', nodes.feature),
    attr.strings('nodes_modes', nodes.mode),
    precision === 'float64'
      ? attr.doubles('nodes_values_as_tensor', values)
      : attr.floats('nodes_values', values),
    attr.ints('nodes_truenodeids', trueIds),
    attr.ints('nodes_falsenodeids', falseIds),
    attr.ints('nodes_missing_value_tracks_true', missing),
    // Converters write hit rates of 1.0 everywhere; kept for realism.
    attr.floats(
      'nodes_hitrates',
      values.map(() => 1),
    ),
  ];
  return {
    nodeAttributes,
    leafTreeIds: leaves.tree,
    leafNodeIds: leaves.node,
    leafColumns: leaves.column,
    leafWeights: leaves.weight,
  };
}

function leafWidth(trees: readonly TreeNode[]): number {
  let current = trees[0];
  if (!current) throw new Error('A tree ensemble needs at least one tree');
  while ('feature' in current) current = current.ifTrue;
  return current.weights.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Classifier outputs

/** Class labels in score-column order: int64 labels as numbers, or strings. */
export type ClassLabels = number[] | string[];

/** ai.onnx.ml post transforms applied to the raw scores. */
export type PostTransform = 'NONE' | 'LOGISTIC' | 'SOFTMAX' | 'SOFTMAX_ZERO';

/** Output layout shared by every classifier builder. */
export interface ClassifierOutputOptions {
  /** Default [0, 1]. */
  classLabels?: ClassLabels;
  /**
   * true (the converters' default): outputs `output_label` + `output_probability` as seq(map) through ZipMap;
   * false (skl2onnx `zipmap=False`): outputs `label` + `probabilities` float [N, C].
   */
  zipMap?: boolean;
}

/** Batch dimension and feature wiring shared by the builders. */
export interface InputOptions {
  input?: FeatureInput;
  /** Declares a fixed batch size instead of an unnamed dynamic one. */
  batchSize?: number;
}

const LABEL = 'label';
const PROBABILITIES = 'probabilities';

function labelAttribute(labels: ClassLabels, intName: string): AttributeProto {
  return isStringLabels(labels)
    ? attr.strings('classlabels_strings', labels)
    : attr.ints(intName, labels as number[]);
}

function isStringLabels(labels: ClassLabels): labels is string[] {
  return typeof labels[0] === 'string';
}

/** Graph outputs for a classifier whose estimator produced `label` and `probabilities`. */
function classifierOutputs(
  labels: ClassLabels,
  zipMap: boolean,
  batch: Dim,
): { nodes: NodeProto[]; outputs: ValueInfo[] } {
  const labelType = isStringLabels(labels) ? 'string' : 'int64';
  if (!zipMap) {
    return {
      nodes: [],
      outputs: [
        tensorInfo(LABEL, labelType, [batch]),
        tensorInfo(PROBABILITIES, 'float32', [batch, labels.length]),
      ],
    };
  }
  const labelNode = isStringLabels(labels)
    ? node('Identity', [LABEL], ['output_label'])
    : node('Cast', [LABEL], ['output_label'], [attr.int('to', DataType.INT64)]);
  return {
    nodes: [
      labelNode,
      node(
        'ZipMap',
        [PROBABILITIES],
        ['output_probability'],
        [labelAttribute(labels, 'classlabels_int64s')],
        ML,
      ),
    ],
    outputs: [tensorInfo('output_label', labelType, [batch]), zipMapOutputInfo('output_probability', labels)],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Tree ensembles

/** Options for `treeEnsembleClassifier`. */
export interface TreeEnsembleClassifierOptions extends OpsetOptions, ClassifierOutputOptions, InputOptions {
  features: number;
  /**
   * Given trees, or options for `randomTrees`. Leaf width decides the layout: 1 weight per leaf with 2 labels
   * is the onnxmltools/skl2onnx binary layout (every class_id 0; ORT outputs [1-σ(m), σ(m)] with LOGISTIC);
   * C weights per leaf is one column per class. Random trees use the binary layout for 2 labels.
   */
  trees: TreeNode[] | Omit<RandomTreeOptions, 'features' | 'columns'>;
  /** Default LOGISTIC for the binary single-column layout, SOFTMAX otherwise. */
  postTransform?: PostTransform;
  /** One value per weight column; added to the summed scores. */
  baseValues?: number[];
  mode?: BranchMode;
}

/** A TreeEnsembleClassifier (ai.onnx.ml) as skl2onnx/onnxmltools emit it, optionally followed by ZipMap. */
export function treeEnsembleClassifier(opts: TreeEnsembleClassifierOptions): Uint8Array {
  const labels = opts.classLabels ?? [0, 1];
  const binaryLayout = labels.length === 2;
  const trees = Array.isArray(opts.trees)
    ? opts.trees
    : randomTrees({ ...opts.trees, features: opts.features, columns: binaryLayout ? 1 : labels.length });
  const width = leafWidth(trees);
  if (width !== labels.length && !(binaryLayout && width === 1)) {
    throw new Error(
      `Leaves carry ${width} weights; expected ${labels.length} (or 1 for a binary classifier)`,
    );
  }
  const batch = opts.batchSize ?? null;
  const features = wireFeatures(opts.input, opts.features, 'float32', batch);
  const estimator = treeClassifierNode(features.tensor, trees, labels, {
    postTransform: opts.postTransform ?? (width === 1 ? 'LOGISTIC' : 'SOFTMAX'),
    mode: opts.mode ?? 'BRANCH_LEQ',
    ...(opts.baseValues ? { baseValues: opts.baseValues } : {}),
  });
  const outputs = classifierOutputs(labels, opts.zipMap ?? true, batch);
  return encodeModel({
    nodes: [...features.nodes, estimator, ...outputs.nodes],
    inputs: features.inputs,
    outputs: outputs.outputs,
    opsets: opts,
    usesMl: true,
  });
}

interface TreeClassifierSettings {
  postTransform: PostTransform;
  mode: BranchMode;
  baseValues?: number[];
}

function treeClassifierNode(
  featureTensor: string,
  trees: readonly TreeNode[],
  labels: ClassLabels,
  settings: TreeClassifierSettings,
): NodeProto {
  const flat = flattenTrees(trees, settings.mode, 'float32');
  return node(
    'TreeEnsembleClassifier',
    [featureTensor],
    [LABEL, PROBABILITIES],
    [
      ...flat.nodeAttributes,
      attr.ints('class_treeids', flat.leafTreeIds),
      attr.ints('class_nodeids', flat.leafNodeIds),
      attr.ints('class_ids', flat.leafColumns),
      attr.floats('class_weights', flat.leafWeights),
      labelAttribute(labels, 'classlabels_int64s'),
      attr.string('post_transform', settings.postTransform),
      ...(settings.baseValues ? [attr.floats('base_values', settings.baseValues)] : []),
    ],
    ML,
  );
}

/** Options for `treeEnsembleRegressor`. */
export interface TreeEnsembleRegressorOptions extends OpsetOptions, InputOptions {
  features: number;
  /** Given trees (one weight per leaf), or options for `randomTrees`. */
  trees: TreeNode[] | Omit<RandomTreeOptions, 'features' | 'columns'>;
  /**
   * float32: float input/output and float attributes. float64: double input, double `_as_tensor` thresholds and
   * weights (ai.onnx.ml opset 3), and a Cast to a double [N,1] output like skl2onnx's double trees (the op itself
   * outputs float, so the prediction carries float32 precision).
   */
  precision?: TreePrecision;
  baseValue?: number;
  mode?: BranchMode;
}

/** A TreeEnsembleRegressor with a single target, output `variable` [N,1]. */
export function treeEnsembleRegressor(opts: TreeEnsembleRegressorOptions): Uint8Array {
  const precision = opts.precision ?? 'float32';
  const trees = Array.isArray(opts.trees)
    ? opts.trees
    : randomTrees({ ...opts.trees, features: opts.features });
  const batch = opts.batchSize ?? null;
  const features = wireFeatures(opts.input, opts.features, precision, batch);
  const flat = flattenTrees(trees, opts.mode ?? 'BRANCH_LEQ', precision);
  const double = precision === 'float64';
  const base = opts.baseValue === undefined ? [] : [opts.baseValue];
  const regressor = node(
    'TreeEnsembleRegressor',
    [features.tensor],
    [double ? 'tree_output' : 'variable'],
    [
      ...flat.nodeAttributes,
      attr.int('n_targets', 1),
      attr.ints('target_treeids', flat.leafTreeIds),
      attr.ints('target_nodeids', flat.leafNodeIds),
      attr.ints('target_ids', flat.leafColumns),
      double
        ? attr.doubles('target_weights_as_tensor', flat.leafWeights)
        : attr.floats('target_weights', flat.leafWeights),
      attr.string('post_transform', 'NONE'),
      ...(base.length === 0
        ? []
        : [double ? attr.doubles('base_values_as_tensor', base) : attr.floats('base_values', base)]),
    ],
    ML,
  );
  const cast = double ? [node('Cast', ['tree_output'], ['variable'], [attr.int('to', DataType.DOUBLE)])] : [];
  return encodeModel({
    nodes: [...features.nodes, regressor, ...cast],
    inputs: features.inputs,
    outputs: [tensorInfo('variable', precision, [batch, 1])],
    opsets: double ? { ...opts, mlOpset: 3 } : opts,
    usesMl: true,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Linear models

/** Coefficients of a linear classifier: one row of F weights and one intercept per class. */
export interface LinearClassifierHead {
  coefficients: number[][];
  intercepts: number[];
  /** Default LOGISTIC. */
  postTransform?: PostTransform;
  /** Appends Normalizer(L1) after the classifier, as skl2onnx does for one-vs-rest LogisticRegression. */
  normalize?: boolean;
}

/** Options for `linearClassifier`. */
export interface LinearClassifierOptions
  extends OpsetOptions,
    ClassifierOutputOptions,
    InputOptions,
    LinearClassifierHead {}

/** A LinearClassifier (ai.onnx.ml), optionally + Normalizer(L1), optionally + ZipMap. */
export function linearClassifier(opts: LinearClassifierOptions): Uint8Array {
  const labels = opts.classLabels ?? [0, 1];
  const featureCount = checkLinearShape(opts, labels.length);
  const batch = opts.batchSize ?? null;
  const features = wireFeatures(opts.input, featureCount, 'float32', batch);
  const outputs = classifierOutputs(labels, opts.zipMap ?? true, batch);
  return encodeModel({
    nodes: [...features.nodes, ...linearClassifierNodes(features.tensor, labels, opts), ...outputs.nodes],
    inputs: features.inputs,
    outputs: outputs.outputs,
    opsets: opts,
    usesMl: true,
  });
}

function checkLinearShape(head: LinearClassifierHead, classes: number): number {
  const featureCount = head.coefficients[0]?.length ?? 0;
  const rectangular = head.coefficients.every((row) => row.length === featureCount);
  if (
    head.coefficients.length !== classes ||
    head.intercepts.length !== classes ||
    !rectangular ||
    !featureCount
  ) {
    throw new Error(
      `A linear classifier needs ${classes} coefficient rows of equal length and ${classes} intercepts`,
    );
  }
  return featureCount;
}

/** LinearClassifier (+ Normalizer) reading `featureTensor`, producing `label` and `probabilities`. */
function linearClassifierNodes(
  featureTensor: string,
  labels: ClassLabels,
  head: LinearClassifierHead,
): NodeProto[] {
  const scores = head.normalize ? 'probability_tensor' : PROBABILITIES;
  const classifier = node(
    'LinearClassifier',
    [featureTensor],
    [LABEL, scores],
    [
      labelAttribute(labels, 'classlabels_ints'),
      attr.floats('coefficients', head.coefficients.flat()),
      attr.floats('intercepts', head.intercepts),
      attr.int('multi_class', labels.length > 2 ? 1 : 0),
      attr.string('post_transform', head.postTransform ?? 'LOGISTIC'),
    ],
    ML,
  );
  if (!head.normalize) return [classifier];
  return [classifier, node('Normalizer', [scores], [PROBABILITIES], [attr.string('norm', 'L1')], ML)];
}

/** Options for `linearRegressor`. */
export interface LinearRegressorOptions extends OpsetOptions, InputOptions {
  coefficients: number[];
  intercept: number;
}

/** A LinearRegressor (ai.onnx.ml) with one target, output `variable` float [N,1]. */
export function linearRegressor(opts: LinearRegressorOptions): Uint8Array {
  const batch = opts.batchSize ?? null;
  const features = wireFeatures(opts.input, opts.coefficients.length, 'float32', batch);
  const regressor = node(
    'LinearRegressor',
    [features.tensor],
    ['variable'],
    [
      attr.floats('coefficients', opts.coefficients),
      attr.floats('intercepts', [opts.intercept]),
      attr.int('targets', 1),
      attr.string('post_transform', 'NONE'),
    ],
    ML,
  );
  return encodeModel({
    nodes: [...features.nodes, regressor],
    inputs: features.inputs,
    outputs: [tensorInfo('variable', 'float32', [batch, 1])],
    opsets: opts,
    usesMl: true,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Pipelines and edge-case models

/** A string column encoded by LabelEncoder: category i -> i, anything else -> -1. */
export interface CategoricalColumn {
  name: string;
  categories: string[];
}

/** Options for `categoricalPipeline`. */
export interface CategoricalPipelineOptions extends OpsetOptions, ClassifierOutputOptions {
  /** String [N,1] inputs; their codes become the first features, in this order. */
  categorical: CategoricalColumn[];
  /** Float [N,1] inputs; they follow the codes. */
  numeric: string[];
  head:
    | ({ kind: 'linear' } & LinearClassifierHead)
    | { kind: 'trees'; trees: TreeNode[]; postTransform?: PostTransform; mode?: BranchMode };
  batchSize?: number;
}

/**
 * A titanic-like pipeline: string inputs -> LabelEncoder (string -> int64 code) -> Cast float -> Concat with
 * the float inputs -> LinearClassifier or TreeEnsembleClassifier (-> ZipMap). Feature order:
 * `[...codes(categorical), ...numeric]`.
 */
export function categoricalPipeline(opts: CategoricalPipelineOptions): Uint8Array {
  const labels = opts.classLabels ?? [0, 1];
  const batch = opts.batchSize ?? null;
  const encoders = opts.categorical.flatMap((column) => [
    node(
      'LabelEncoder',
      [column.name],
      [`${column.name}_code`],
      [attr.strings('classes_strings', column.categories), attr.int('default_int64', -1)],
      ML,
    ),
    node('Cast', [`${column.name}_code`], [`${column.name}_float`], [attr.int('to', DataType.FLOAT)]),
  ]);
  const concatInputs = [...opts.categorical.map((c) => `${c.name}_float`), ...opts.numeric];
  const concat = node('Concat', concatInputs, ['features'], [attr.int('axis', 1)]);
  const estimator = pipelineHead(opts.head, labels);
  const outputs = classifierOutputs(labels, opts.zipMap ?? true, batch);
  return encodeModel({
    nodes: [...encoders, concat, ...estimator, ...outputs.nodes],
    inputs: [
      ...opts.categorical.map((c) => tensorInfo(c.name, 'string', [batch, 1])),
      ...opts.numeric.map((n) => tensorInfo(n, 'float32', [batch, 1])),
    ],
    outputs: outputs.outputs,
    opsets: opts,
    usesMl: true,
  });
}

function pipelineHead(head: CategoricalPipelineOptions['head'], labels: ClassLabels): NodeProto[] {
  if (head.kind === 'linear') {
    checkLinearShape(head, labels.length);
    return linearClassifierNodes('features', labels, head);
  }
  const settings = {
    postTransform: head.postTransform ?? 'LOGISTIC',
    mode: head.mode ?? 'BRANCH_LEQ',
  } as const;
  return [treeClassifierNode('features', head.trees, labels, settings)];
}

/** Options for `untypedOutputModel`. */
export interface UntypedOutputModelOptions extends OpsetOptions, LinearClassifierHead {
  /** Default [0, 1, 2]-style labels 0..C-1. */
  classLabels?: ClassLabels;
  inputName?: string;
}

/**
 * Like skl2onnx's simplified_model tutorial graph: LinearClassifier -> Normalizer, whose only graph output
 * `probabilities` has no declared type or shape (ORT reports float32 with shape []); the label is not an output.
 */
export function untypedOutputModel(opts: UntypedOutputModelOptions): Uint8Array {
  const labels = opts.classLabels ?? opts.intercepts.map((_, i) => i);
  const featureCount = checkLinearShape(opts, labels.length);
  const inputName = opts.inputName ?? 'X';
  return encodeModel({
    nodes: linearClassifierNodes(inputName, labels, { ...opts, normalize: true }),
    inputs: [tensorInfo(inputName, 'float32', [null, featureCount])],
    outputs: [{ name: PROBABILITIES }],
    opsets: opts,
    usesMl: true,
  });
}

/** Options for `identityModel`. */
export interface IdentityModelOptions extends OpsetOptions {
  elemType: ElemType;
  /** Declared dims of input and output; default [null, 1]; 'undeclared' leaves the shape out. */
  dims?: Dim[] | 'undeclared';
  inputName?: string;
  outputName?: string;
}

/** A single Identity node: the output is the input (for int64, double, string, bool... edge cases). */
export function identityModel(opts: IdentityModelOptions): Uint8Array {
  const dims = opts.dims === 'undeclared' ? undefined : (opts.dims ?? [null, 1]);
  const inputName = opts.inputName ?? 'input';
  const outputName = opts.outputName ?? 'output';
  return encodeModel({
    nodes: [node('Identity', [inputName], [outputName])],
    inputs: [tensorInfo(inputName, opts.elemType, dims)],
    outputs: [tensorInfo(outputName, opts.elemType, dims)],
    opsets: opts,
    usesMl: false,
  });
}
