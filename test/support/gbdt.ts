/**
 * Gradient-boosted binary tree classifiers for tests, benchmarks and the demo: a random reference ensemble of
 * benchmark size, and a small real fitter (logistic loss, Newton leaves, exact greedy splits on quantile
 * candidates) whose result is written as ONNX the way onnxmltools/skl2onnx write binary boosters.
 */
import {
  type ClassLabels,
  createRng,
  evaluateTrees,
  type Rng,
  randomTrees,
  type TreeNode,
  treeEnsembleClassifier,
} from './onnx-factory.js';

/** Options for `referenceGbdt`. */
export interface ReferenceGbdtOptions {
  seed: number;
  /** Default 100. */
  trees?: number;
  /** Default 6. */
  depth?: number;
  /** Default 20. */
  features?: number;
  /** Emit ZipMap (seq(map)) like the converters' default; default false (plain probabilities tensor). */
  zipMap?: boolean;
}

/** A generated benchmark model plus what a caller needs to feed and check it. */
export interface ReferenceGbdt {
  bytes: Uint8Array;
  /** `f0`..`f{F-1}`, the column order of the single float32 [N,F] input `input`. */
  featureNames: string[];
  /** The ensemble, one weight per leaf (the positive-class margin). */
  trees: TreeNode[];
}

/**
 * The benchmark reference model: a binary boosted-tree classifier in the onnxmltools layout (one weight column,
 * class_ids 0, LOGISTIC), complete trees whose thresholds split standard-normal features evenly, leaf weights
 * N(0, 0.1²) so the margin over 100 trees has unit scale. Outputs `label` + `probabilities` (or ZipMap).
 */
export function referenceGbdt(opts: ReferenceGbdtOptions): ReferenceGbdt {
  const features = opts.features ?? 20;
  const trees = randomTrees({
    seed: opts.seed,
    trees: opts.trees ?? 100,
    depth: opts.depth ?? 6,
    features,
    leafScale: 0.1,
  });
  const bytes = treeEnsembleClassifier({
    features,
    trees,
    zipMap: opts.zipMap ?? false,
    postTransform: 'LOGISTIC',
  });
  return { bytes, featureNames: Array.from({ length: features }, (_, i) => `f${i}`), trees };
}

/** Options for `fitGbdt`. */
export interface GbdtFitOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** Seeds the row subsampling. */
  seed: number;
  /** Fraction of rows each tree is fitted on; default 0.8. */
  subsample?: number;
  /** L2 penalty on leaf values (XGBoost's lambda); default 1. */
  lambda?: number;
  /** Minimum hessian sum in a child; default 1. */
  minChildWeight?: number;
  /** Split candidates per feature (quantiles of the training values); default 32. */
  candidates?: number;
}

/** How `FittedGbdt.toOnnx` lays out the model. */
export interface GbdtOnnxOptions {
  /** Default true, like the converters. */
  zipMap?: boolean;
  /** One float [N,1] input per name (concatenated); without it a single float [N,F] input named `input`. */
  featureNames?: string[];
  /** Default [0, 1]; the second label is the positive class. */
  classLabels?: ClassLabels;
}

/** A fitted ensemble: float32 thresholds and leaf values, exactly what the ONNX export carries. */
export interface FittedGbdt {
  trees: TreeNode[];
  /** Initial log-odds, exported as `base_values`. */
  baseScore: number;
  features: number;
  /** Log-odds of the positive class, computed like onnxruntime (float32 compare and accumulate). */
  margin(row: ArrayLike<number>): number;
  /** Probability of the positive class. */
  probability(row: ArrayLike<number>): number;
  /** ONNX bytes: TreeEnsembleClassifier, binary single-column layout, LOGISTIC (+ ZipMap). */
  toOnnx(opts?: GbdtOnnxOptions): Uint8Array;
}

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

/**
 * Fits a binary gradient-boosted tree classifier with logistic loss. `X` holds one Float64Array per row; `y`
 * holds 0/1. Missing values (NaN) go to the false branch (missing_value_tracks_true = 0).
 */
export function fitGbdt(X: readonly Float64Array[], y: readonly number[], opts: GbdtFitOptions): FittedGbdt {
  if (X.length === 0 || X.length !== y.length)
    throw new Error('fitGbdt needs as many labels as rows, at least one');
  const features = X[0]?.length ?? 0;
  const positives = y.reduce((sum, v) => sum + v, 0);
  const prior = Math.min(Math.max(positives / y.length, 1e-6), 1 - 1e-6);
  const baseScore = Math.fround(Math.log(prior / (1 - prior)));
  const bins = binFeatures(X, opts.candidates ?? 32);
  const settings: SplitSettings = {
    lambda: opts.lambda ?? 1,
    minChildWeight: opts.minChildWeight ?? 1,
    learningRate: opts.learningRate,
  };
  const rng = createRng(opts.seed);
  const margins = new Float64Array(X.length).fill(baseScore);
  const trees: TreeNode[] = [];
  for (let t = 0; t < opts.trees; t++) {
    const grad = new Float64Array(X.length);
    const hess = new Float64Array(X.length);
    for (let i = 0; i < X.length; i++) {
      const p = sigmoid(margins[i] ?? 0);
      grad[i] = p - (y[i] ?? 0);
      hess[i] = Math.max(p * (1 - p), 1e-12);
    }
    const rows = sampleRows(X.length, opts.subsample ?? 0.8, rng);
    const tree = growTree(rows, opts.depth, { bins, grad, hess, settings });
    trees.push(tree);
    for (let i = 0; i < X.length; i++)
      margins[i] = (margins[i] ?? 0) + (evaluateTrees([tree], X[i]!)[0] ?? 0);
  }
  return fittedModel(trees, baseScore, features);
}

function fittedModel(trees: TreeNode[], baseScore: number, features: number): FittedGbdt {
  // onnxruntime accumulates the trees in float32, then adds base_values[0] in float32.
  const margin = (row: ArrayLike<number>): number =>
    Math.fround((evaluateTrees(trees, row)[0] ?? 0) + baseScore);
  return {
    trees,
    baseScore,
    features,
    margin,
    probability: (row) => sigmoid(margin(row)),
    toOnnx: (opts = {}) =>
      treeEnsembleClassifier({
        features,
        trees,
        postTransform: 'LOGISTIC',
        baseValues: [baseScore],
        zipMap: opts.zipMap ?? true,
        ...(opts.classLabels ? { classLabels: opts.classLabels } : {}),
        ...(opts.featureNames ? { input: { kind: 'columns', names: opts.featureNames } } : {}),
      }),
  };
}

function sampleRows(n: number, fraction: number, rng: Rng): number[] {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (fraction >= 1 || rng.next() < fraction) rows.push(i);
  return rows.length > 0 ? rows : [0];
}

/** Per feature: sorted float32 thresholds, and each row's bin (bin j = at most threshold j; NaN or above all = K). */
interface FeatureBins {
  thresholds: number[][];
  codes: Uint16Array[];
}

function binFeatures(X: readonly Float64Array[], candidates: number): FeatureBins {
  const features = X[0]?.length ?? 0;
  const thresholds: number[][] = [];
  const codes: Uint16Array[] = [];
  for (let f = 0; f < features; f++) {
    const values = X.map((row) => Math.fround(row[f] ?? Number.NaN))
      .filter((v) => !Number.isNaN(v))
      .sort((a, b) => a - b);
    const cuts = new Set<number>();
    for (let k = 1; k <= candidates; k++) {
      const v = values[Math.floor((k * (values.length - 1)) / (candidates + 1))];
      if (v !== undefined) cuts.add(v);
    }
    const sorted = [...cuts].sort((a, b) => a - b);
    thresholds.push(sorted);
    codes.push(Uint16Array.from(X, (row) => binOf(Math.fround(row[f] ?? Number.NaN), sorted)));
  }
  return { thresholds, codes };
}

function binOf(x: number, thresholds: readonly number[]): number {
  if (Number.isNaN(x)) return thresholds.length;
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= (thresholds[mid] ?? Number.POSITIVE_INFINITY)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface SplitSettings {
  lambda: number;
  minChildWeight: number;
  learningRate: number;
}

interface GrowContext {
  bins: FeatureBins;
  grad: Float64Array;
  hess: Float64Array;
  settings: SplitSettings;
}

interface BestSplit {
  feature: number;
  bin: number;
  gain: number;
}

function growTree(rows: number[], depth: number, ctx: GrowContext): TreeNode {
  let g = 0;
  let h = 0;
  for (const i of rows) {
    g += ctx.grad[i] ?? 0;
    h += ctx.hess[i] ?? 0;
  }
  const split = depth > 0 ? bestSplit(rows, g, h, ctx) : null;
  if (!split) return { weights: [Math.fround((-g / (h + ctx.settings.lambda)) * ctx.settings.learningRate)] };
  const codes = ctx.bins.codes[split.feature]!;
  const left = rows.filter((i) => (codes[i] ?? 0) <= split.bin);
  const right = rows.filter((i) => (codes[i] ?? 0) > split.bin);
  return {
    feature: split.feature,
    threshold: ctx.bins.thresholds[split.feature]![split.bin]!,
    missingTracksTrue: false,
    ifTrue: growTree(left, depth - 1, ctx),
    ifFalse: growTree(right, depth - 1, ctx),
  };
}

/** Exact greedy search over every candidate threshold of every feature (XGBoost's second-order gain). */
function bestSplit(rows: readonly number[], g: number, h: number, ctx: GrowContext): BestSplit | null {
  const { lambda, minChildWeight } = ctx.settings;
  const parentScore = (g * g) / (h + lambda);
  let best: BestSplit | null = null;
  ctx.bins.codes.forEach((codes, feature) => {
    const binCount = (ctx.bins.thresholds[feature]?.length ?? 0) + 1;
    const gHist = new Float64Array(binCount);
    const hHist = new Float64Array(binCount);
    for (const i of rows) {
      const b = codes[i] ?? 0;
      gHist[b] = (gHist[b] ?? 0) + (ctx.grad[i] ?? 0);
      hHist[b] = (hHist[b] ?? 0) + (ctx.hess[i] ?? 0);
    }
    let gLeft = 0;
    let hLeft = 0;
    for (let bin = 0; bin < binCount - 1; bin++) {
      gLeft += gHist[bin] ?? 0;
      hLeft += hHist[bin] ?? 0;
      const gRight = g - gLeft;
      const hRight = h - hLeft;
      if (hLeft < minChildWeight || hRight < minChildWeight) continue;
      const gain = (gLeft * gLeft) / (hLeft + lambda) + (gRight * gRight) / (hRight + lambda) - parentScore;
      if (gain > 1e-9 && (!best || gain > best.gain)) best = { feature, bin, gain };
    }
  });
  return best;
}

/** A generated binary dataset: standard-normal features, label from a fixed nonlinear rule plus label noise. */
export interface SyntheticBinaryData {
  X: Float64Array[];
  y: number[];
  featureNames: string[];
}

/**
 * Rows with `features` (>= 4) standard-normal columns; y = 1 when x0 + 0.8·x1 − x2·x3 + 0.3·noise > 0. Trees
 * can learn it to high training accuracy, and it exercises interactions.
 */
export function syntheticBinaryData(opts: {
  rows: number;
  features: number;
  seed: number;
}): SyntheticBinaryData {
  if (opts.features < 4) throw new Error('syntheticBinaryData needs at least 4 features');
  const rng = createRng(opts.seed);
  const X: Float64Array[] = [];
  const y: number[] = [];
  for (let r = 0; r < opts.rows; r++) {
    const row = Float64Array.from({ length: opts.features }, () => rng.normal());
    const signal = row[0]! + 0.8 * row[1]! - row[2]! * row[3]!;
    X.push(row);
    y.push(signal + 0.3 * rng.normal() > 0 ? 1 : 0);
  }
  return { X, y, featureNames: Array.from({ length: opts.features }, (_, i) => `x${i}`) };
}
