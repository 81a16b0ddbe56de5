/**
 * Chooses and prepares how a model's predictions are explained (once per loaded model version and algorithm):
 * - "shap" on a tree ensemble (regression or binary) whose preprocessing we can replay → exact interventional
 *   TreeSHAP in JS (tree-shap.ts), checked against onnxruntime on the background before it is trusted;
 * - "shap" on a linear model behind column-local preprocessing → exact per-column attribution (M·B evaluations);
 * - "shap" on anything else → exact coalition enumeration within the evaluation budget, sampled above it;
 * - "xemp" → an emulation of DataRobot's proprietary XEMP (one column replaced at a time against the
 *   background), labelled as such in the docs.
 */
import { ModelError } from '../../domain/errors.js';
import type { LoadedModel } from '../model/load-model.js';
import type { ModelDescription } from '../model/model-description.js';
import { decodeModel, ML_DOMAIN } from '../model/onnx-proto-io.js';
import { backgroundFeeds } from './background.js';
import {
  type Attribution,
  type CoalitionContext,
  exactCost,
  exactShapley,
  meanOf,
  oneAtATime,
  sampledShapley,
} from './coalitions.js';
import type { Background, ExplanationManifest } from './explanation-manifest.js';
import { type FeedArray, numericCell, playerLayout } from './feeds.js';
import { ModelEvaluator } from './model-outputs.js';
import { applySteps, readTreeEnsemble, type TreeEnsemble } from './tree-ensemble.js';
import { type Link, type ScalarTrees, TreeShap } from './tree-shap.js';
import { TreeShapPool } from './tree-shap-pool.js';

export type ExplanationAlgorithm = 'shap' | 'xemp';
/** How attributions are computed; reported in docs and tests. */
export type ExplanationMethod = 'tree-shap' | 'linear' | 'exact' | 'sampled' | 'xemp-emulation';

/** A model ready to explain rows held in feeds. */
export interface PreparedExplainer {
  readonly algorithm: ExplanationAlgorithm;
  readonly method: ExplanationMethod;
  /** Player (CSV column) names, in manifest input order. */
  readonly players: readonly string[];
  /** Values per row (1, or one per class for multiclass). */
  readonly outputs: number;
  /**
   * Explains rows `rowIndex` of `feeds`; `fx` holds onnxruntime's explained values for them (K per row).
   * For "xemp" the base is NaN (the emulation is not additive).
   */
  explain(feeds: readonly FeedArray[], rowIndex: readonly number[], fx: Float64Array): Promise<Attribution[]>;
}

/** Explanation settings with the background they compare with. */
type BackedExplanations = ExplanationManifest & { readonly background: Background };

/** The manifest's explanation settings with their background, or a ModelError saying what to add. */
function explanationManifestOf(model: LoadedModel): BackedExplanations {
  const config = model.source?.manifest.explanations;
  if (!config?.background) {
    throw new ModelError(
      'this model package has no explanation background: prediction explanations need manifest explanations.background (training rows) or a training CSV uploaded to modelPackages/{id}/trainingData/',
    );
  }
  return { ...config, background: config.background };
}

/** The algorithm a job gets when it does not choose: DataRobot uses XEMP for multiclass, SHAP otherwise. */
export function defaultAlgorithm(
  model: ModelDescription,
  config: ExplanationManifest | undefined,
): ExplanationAlgorithm {
  if (model.targetType === 'Multiclass') return 'xemp';
  return config?.defaultAlgorithm ?? 'shap';
}

const cache = new WeakMap<LoadedModel, Map<ExplanationAlgorithm, Promise<PreparedExplainer>>>();

/** Prepares (or returns the cached) explainer of a loaded model for an algorithm. */
export function preparedExplainer(
  model: LoadedModel,
  algorithm: ExplanationAlgorithm,
): Promise<PreparedExplainer> {
  let byAlgorithm = cache.get(model);
  if (!byAlgorithm) {
    byAlgorithm = new Map();
    cache.set(model, byAlgorithm);
  }
  let prepared = byAlgorithm.get(algorithm);
  if (!prepared) {
    prepared = prepare(model, algorithm);
    byAlgorithm.set(algorithm, prepared);
  }
  return prepared;
}

async function prepare(model: LoadedModel, algorithm: ExplanationAlgorithm): Promise<PreparedExplainer> {
  const config = explanationManifestOf(model);
  const d = model.description;
  const inputs = d.inputs;
  const layout = playerLayout(inputs);
  const background = backgroundFeeds(inputs, config.background);
  const evaluator = new ModelEvaluator(model);
  const backgroundValues = await evaluator.evaluate(background, config.background.length);
  const ctx: CoalitionContext = {
    inputs,
    layout,
    evaluator,
    background,
    backgroundRows: config.background.length,
    backgroundValues,
  };
  const common = { algorithm, players: layout.columns, outputs: evaluator.outputs };
  // One column at a time costs M·B evaluations per row: within the budget, compare with the first references.
  const perColumn = Math.floor(config.evaluationBudget / Math.max(1, layout.columns.length));
  const columnCtx = { ...ctx, backgroundRows: Math.max(1, Math.min(ctx.backgroundRows, perColumn)) };
  if (algorithm === 'xemp') {
    return { ...common, method: 'xemp-emulation', explain: (f, rows, fx) => xemp(columnCtx, f, rows, fx) };
  }
  if (d.targetType === 'Multiclass') {
    throw new ModelError(
      'SHAP explanations are not available for multiclass models; use explanationAlgorithm "xemp"',
    );
  }
  const trees = treeExplainer(model, config, background, backgroundValues, layout.columns);
  if (trees) return { ...common, method: 'tree-shap', explain: trees };
  const link = linearLink(model);
  if (link) {
    return { ...common, method: 'linear', explain: (f, rows, fx) => linear(columnCtx, f, rows, fx, link) };
  }
  if (exactCost(layout.columns.length, ctx.backgroundRows) <= config.evaluationBudget) {
    return { ...common, method: 'exact', explain: (f, rows, fx) => exactShapley(ctx, f, rows, fx) };
  }
  return {
    ...common,
    method: 'sampled',
    explain: (f, rows, fx) =>
      sampledShapley(ctx, f, rows, fx, config.evaluationBudget, (row) => rowSeed(inputs, f, row)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Tree ensembles

type TreeExplain = (feeds: readonly FeedArray[], rows: readonly number[]) => Promise<Attribution[]>;

/** Ends a model's explanation workers once the model itself is garbage: the explainer cache holds no reference. */
const pools = new FinalizationRegistry<TreeShapPool>((pool) => void pool.close());

/**
 * TreeSHAP for a regression or binary tree ensemble, or null when the graph is not one we can replay exactly
 * (checked: the JS value must match onnxruntime on every background row).
 */
function treeExplainer(
  model: LoadedModel,
  config: BackedExplanations,
  background: readonly FeedArray[],
  backgroundValues: Float64Array,
  players: readonly string[],
): TreeExplain | null {
  const d = model.description;
  const ensemble = model.source ? readTreeEnsemble(model.source.bytes) : null;
  if (!ensemble) return null;
  const scalar = scalarTrees(ensemble, d);
  if (!scalar) return null;
  const inputIndex = ensemble.sources.map((s) => d.inputs.findIndex((b) => b.name === s.input));
  if (inputIndex.some((i) => i < 0)) return null;
  const featurePlayer = Int32Array.from(ensemble.sources, (s, f) => {
    const binding = d.inputs[inputIndex[f] as number];
    return players.indexOf(binding?.columns[s.position] ?? '');
  });
  const features = (feeds: readonly FeedArray[], row: number, x: Float64Array): Float64Array => {
    ensemble.sources.forEach((s, f) => {
      const i = inputIndex[f] as number;
      const w = d.inputs[i]?.columns.length ?? 1;
      const at = row * w + s.position;
      const feed = feeds[i] as FeedArray;
      const raw = s.category === undefined ? numericCell(feed, at) : String(feed[at]) === s.category ? 1 : 0;
      x[f] = applySteps(s.steps, raw, ensemble.float32);
    });
    return x;
  };
  const refs = Math.min(config.treeReferences ?? config.background.length, config.background.length);
  const refRows = Array.from({ length: refs }, (_, r) =>
    features(background, r, new Float64Array(ensemble.sources.length)),
  );
  const shap = new TreeShap(scalar, featurePlayer, players.length, refRows);
  // Trust the JS replay only where it reproduces onnxruntime (float32 accumulation differs by ~1e-7).
  const x = new Float64Array(ensemble.sources.length);
  for (let r = 0; r < config.background.length; r++) {
    const js = shap.value(features(background, r, x));
    const ort = backgroundValues[r] as number;
    if (!(Math.abs(js - ort) <= 1e-4 * Math.max(1, Math.abs(ort)))) return null;
  }
  const attribution = (res: ReturnType<TreeShap['finish']>): Attribution => ({
    base: Float64Array.of(res.base),
    phi: res.phi,
    value: Float64Array.of(res.value),
  });
  const pool = shap.kernelData ? TreeShapPool.create(shap.kernelData) : null;
  if (!pool) {
    return async (feeds, rows) =>
      rows.map((row) => attribution(shap.explain(features(feeds, row, x), new Float64Array(players.length))));
  }
  pools.register(model, pool);
  const width = ensemble.sources.length;
  return async (feeds, rows) => {
    const xs = new Float64Array(rows.length * width);
    rows.forEach((row, i) => {
      xs.set(features(feeds, row, x), i * width);
    });
    const { phi, margins } = await pool.explain(xs, rows.length);
    const m = players.length;
    return rows.map((_, i) => attribution(shap.finish(margins[i] as number, phi.slice(i * m, (i + 1) * m))));
  };
}

/**
 * The explained scalar of an ensemble: the regression output, or the positive-class probability of a binary
 * classifier. onnxruntime's binary layout (one weight column, LOGISTIC) outputs [1 − σ(m), σ(m)]: the single
 * score is the second class's margin although its weights are tagged class 0.
 */
function scalarTrees(e: TreeEnsemble, d: ModelDescription): ScalarTrees | null {
  const column = (c: number, sign = 1): Float64Array => {
    const v = new Float64Array(e.mode.length);
    for (let n = 0; n < v.length; n++) v[n] = sign * (e.weights[n * e.outputs + c] as number);
    return v;
  };
  const base = (c: number): number => e.baseValues[c] ?? 0;
  if (d.targetType === 'Regression') {
    if (e.outputs !== 1 || e.postTransform !== 'NONE') return null;
    return { ensemble: e, leafValue: column(0), base: base(0), link: 'identity' };
  }
  if (d.targetType !== 'Binary' || e.classLabels.length !== 2) return null;
  const positive = d.classLabels.indexOf(d.positiveClass as string);
  const link: Link | null =
    e.postTransform === 'LOGISTIC' ? 'logistic' : e.postTransform === 'NONE' ? 'identity' : null;
  if (e.outputs === 1 && link) {
    const sign = positive === 1 ? 1 : -1;
    return { ensemble: e, leafValue: column(0, sign), base: sign * base(0), link };
  }
  if (e.outputs !== 2) return null;
  if (link) return { ensemble: e, leafValue: column(positive), base: base(positive), link };
  if (e.postTransform !== 'SOFTMAX') return null;
  // softmax of two margins = σ(m_pos − m_neg)
  const pos = column(positive);
  const neg = column(1 - positive);
  for (let n = 0; n < pos.length; n++) pos[n] = (pos[n] as number) - (neg[n] as number);
  return { ensemble: e, leafValue: pos, base: base(positive) - base(1 - positive), link: 'logistic' };
}

// ---------------------------------------------------------------------------------------------------------------
// Linear models

/** Ops that transform each CSV column on its own, so a linear model behind them is additive per column. */
const COLUMN_LOCAL = new Set([
  'Cast',
  'Identity',
  'Scaler',
  'Imputer',
  'OneHotEncoder',
  'LabelEncoder',
  'Concat',
  'Reshape',
  'Binarizer',
  'ZipMap',
]);

/**
 * The link of a regression or binary linear model behind column-local preprocessing (identity for
 * LinearRegressor or NONE, logistic for LOGISTIC), or null when the graph is anything else. A Normalizer is
 * allowed only on the classifier's probabilities (skl2onnx appends an L1 one that leaves binary outputs as they are).
 */
function linearLink(model: LoadedModel): Link | null {
  if (!model.source) return null;
  const { graph } = decodeModel(model.source.bytes);
  const linear = graph.node.filter(
    (n) => n.domain === ML_DOMAIN && (n.opType === 'LinearClassifier' || n.opType === 'LinearRegressor'),
  );
  if (linear.length !== 1) return null;
  const head = linear[0] as (typeof graph.node)[number];
  const probabilities = head.opType === 'LinearClassifier' ? head.output?.[1] : head.output?.[0];
  for (const n of graph.node) {
    if (n === head || COLUMN_LOCAL.has(n.opType ?? '')) continue;
    if (n.opType === 'Normalizer' && n.input?.[0] === probabilities) continue;
    return null;
  }
  const post = head.attribute?.find((a) => a.name === 'post_transform')?.s;
  const transform = post ? new TextDecoder().decode(post) : 'NONE';
  if (transform === 'NONE') return 'identity';
  return transform === 'LOGISTIC' && model.description.targetType === 'Binary' ? 'logistic' : null;
}

const logit = (p: number): number => Math.log(p / (1 - p));

/**
 * Exact attribution for a model additive per column in link space: per reference r, c_j = L(f(x)) − L(f(x with
 * column j from r)) is column j's exact share of L(f(x)) − L(f(r)); each reference's shares are rescaled to
 * f(x) − f(r), so base + Σφ = f(x) exactly.
 */
async function linear(
  ctx: CoalitionContext,
  feeds: readonly FeedArray[],
  rows: readonly number[],
  fx: Float64Array,
  link: Link,
): Promise<Attribution[]> {
  const m = ctx.layout.columns.length;
  const refs = ctx.backgroundRows;
  const L = link === 'identity' ? (v: number) => v : logit;
  const replaced = await oneAtATime(ctx, feeds, rows);
  const base = meanOf(ctx, refs);
  return rows.map((_, i) => {
    const f = fx[i] as number;
    const phi = new Float64Array(m);
    const c = new Float64Array(m);
    for (let r = 0; r < refs; r++) {
      let sum = 0;
      for (let j = 0; j < m; j++) {
        c[j] = L(f) - L(((replaced[i] as Float64Array[])[j] as Float64Array)[r] as number);
        sum += c[j] as number;
      }
      const fr = ctx.backgroundValues[r] as number;
      const factor = Math.abs(sum) > 1e-12 ? (f - fr) / sum : link === 'identity' ? 1 : f * (1 - f);
      for (let j = 0; j < m; j++) phi[j] = (phi[j] as number) + (factor * (c[j] as number)) / refs;
    }
    return { base, phi, value: Float64Array.of(f) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// XEMP emulation

/**
 * Emulated XEMP strengths: f(x) − mean over the background of f(x with column j from the reference), per
 * output. Not additive, so the base is NaN (no SHAP_BASE_VALUE / SHAP_REMAINING_TOTAL for xemp jobs).
 */
async function xemp(
  ctx: CoalitionContext,
  feeds: readonly FeedArray[],
  rows: readonly number[],
  fx: Float64Array,
): Promise<Attribution[]> {
  const m = ctx.layout.columns.length;
  const k = ctx.evaluator.outputs;
  const refs = ctx.backgroundRows;
  const replaced = await oneAtATime(ctx, feeds, rows);
  return rows.map((_, i) => {
    const phi = new Float64Array(k * m);
    for (let j = 0; j < m; j++) {
      const values = (replaced[i] as Float64Array[])[j] as Float64Array;
      for (let c = 0; c < k; c++) {
        let mean = 0;
        for (let r = 0; r < refs; r++) mean += (values[r * k + c] as number) / refs;
        phi[c * m + j] = (fx[i * k + c] as number) - mean;
      }
    }
    return { base: new Float64Array(k).fill(Number.NaN), phi, value: fx.slice(i * k, (i + 1) * k) };
  });
}

/** A seed from a row's own cell values (FNV-1a), so sampling does not depend on where the row sits in the input. */
function rowSeed(inputs: ModelDescription['inputs'], feeds: readonly FeedArray[], row: number): number {
  let h = 0x811c9dc5;
  inputs.forEach((binding, i) => {
    const w = binding.columns.length;
    const feed = feeds[i] as FeedArray;
    for (let k = 0; k < w; k++) {
      const text = String(feed[row * w + k]);
      for (let c = 0; c < text.length; c++) {
        h ^= text.charCodeAt(c);
        h = Math.imul(h, 0x01000193);
      }
      h = Math.imul(h ^ 0x2c, 0x01000193);
    }
  });
  return h >>> 0;
}
