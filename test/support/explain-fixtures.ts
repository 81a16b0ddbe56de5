/**
 * Fixtures for explanation tests and benchmarks: a real binary GBDT (fitted by gbdt.ts, written the way
 * onnxmltools/skl2onnx emit binary boosters), background rows and CSV input for any feature matrix, and
 * brute-force interventional Shapley values to check the fast algorithms against.
 */
import type { onnx as OnnxTypes } from 'onnx-proto';
import onnxProto from 'onnx-proto';
import { type LoadedModel, loadModel } from '../../shared/engine/model/load-model.js';
import { type FittedGbdt, fitGbdt, syntheticBinaryData } from './gbdt.js';
import { createRng, randomTrees, type TreeNode, treeEnsembleRegressor } from './onnx-factory.js';

const { onnx } = onnxProto;

/** A fitted binary GBDT with its data, columns and ONNX bytes (ZipMap output like the converters' default). */
export interface BinaryGbdtFixture {
  gbdt: FittedGbdt;
  bytes: Uint8Array;
  featureNames: string[];
  X: Float64Array[];
}

/** Fits a small real binary GBDT on synthetic data (seeded): 6 features, 30 trees of depth 3. */
export function binaryGbdtFixture(
  opts: { features?: number; trees?: number; depth?: number } = {},
): BinaryGbdtFixture {
  const data = syntheticBinaryData({ rows: 400, features: opts.features ?? 6, seed: 11 });
  const gbdt = fitGbdt(data.X, data.y, {
    trees: opts.trees ?? 30,
    depth: opts.depth ?? 3,
    learningRate: 0.3,
    seed: 5,
  });
  const bytes = gbdt.toOnnx({ featureNames: data.featureNames, classLabels: ['no', 'yes'] });
  return { gbdt, bytes, featureNames: data.featureNames, X: data.X };
}

/** Rows of a numeric matrix as manifest background records. */
export function backgroundRows(
  names: readonly string[],
  rows: readonly ArrayLike<number>[],
): Array<Record<string, number | null>> {
  return rows.map((row) =>
    Object.fromEntries(names.map((n, i) => [n, Number.isNaN(row[i] as number) ? null : (row[i] as number)])),
  );
}

/** A CSV (header + rows) of a numeric matrix; NaN becomes an empty cell. */
export function matrixCsv(names: readonly string[], rows: readonly ArrayLike<number>[]): string {
  const lines = rows.map((row) =>
    Array.from({ length: names.length }, (_, i) =>
      Number.isNaN(row[i] as number) ? '' : String(row[i]),
    ).join(','),
  );
  return `${names.join(',')}\n${lines.join('\n')}\n`;
}

/** Standard-normal rows (seeded). */
export function normalRows(rows: number, features: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => Float64Array.from({ length: features }, () => rng.normal()));
}

/**
 * Exact interventional Shapley values of `f` at `x` by enumerating all 2^M coalitions of players, each player
 * owning the features `groups[j]`: v(S) = mean over background rows r of f(x on S's features, r elsewhere).
 */
export function bruteForceShapley(
  f: (row: Float64Array) => number,
  x: ArrayLike<number>,
  background: readonly ArrayLike<number>[],
  groups: readonly (readonly number[])[],
): { base: number; phi: number[] } {
  const m = groups.length;
  const v = new Float64Array(2 ** m);
  for (let mask = 0; mask < 2 ** m; mask++) {
    let sum = 0;
    for (const r of background) {
      const row = Float64Array.from(r);
      groups.forEach((features, j) => {
        if ((mask >>> j) & 1) for (const feature of features) row[feature] = x[feature] as number;
      });
      sum += f(row);
    }
    v[mask] = sum / background.length;
  }
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = groups.map((_, j) => {
    let total = 0;
    for (let mask = 0; mask < 2 ** m; mask++) {
      if ((mask >>> j) & 1) continue;
      let size = 0;
      for (let b = mask; b; b &= b - 1) size++;
      const w = (fact(size) * fact(m - size - 1)) / fact(m);
      total += w * ((v[mask | (1 << j)] as number) - (v[mask] as number));
    }
    return total;
  });
  return { base: v[0] as number, phi };
}

/**
 * A one-hot tree pipeline the way skl2onnx lays it out: string `color` [N,1] → OneHotEncoder (red, green, blue)
 * → Reshape [N,3] → Concat with float `x` [N,1] → TreeEnsembleRegressor over the 4 encoded features. Made by
 * rewriting the factory's regressor (whose columns c0..c2 become the one-hot block).
 */
export function oneHotTreePipeline(seed: number): Uint8Array {
  const trees = randomTrees({ seed, trees: 12, depth: 3, features: 4 }).map(function snap(n): TreeNode {
    // One-hot features are 0/1: split them at 0.5 so every split on them means something.
    if (!('feature' in n)) return n;
    return {
      ...n,
      threshold: n.feature < 3 ? 0.5 : n.threshold,
      ifTrue: snap(n.ifTrue),
      ifFalse: snap(n.ifFalse),
    };
  });
  const bytes = treeEnsembleRegressor({
    features: 4,
    trees,
    input: { kind: 'columns', names: ['c0', 'c1', 'c2', 'x'] },
  });
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph as OnnxTypes.GraphProto;
  const x = graph.input.find((i) => i.name === 'x') as OnnxTypes.IValueInfoProto;
  graph.input = [
    onnx.ValueInfoProto.create({
      name: 'color',
      type: {
        tensorType: { elemType: onnx.TensorProto.DataType.STRING, shape: { dim: [{}, { dimValue: 1 }] } },
      },
    }),
    onnx.ValueInfoProto.create(x),
  ];
  graph.initializer.push(
    onnx.TensorProto.create({
      name: 'onehot_shape',
      dataType: onnx.TensorProto.DataType.INT64,
      dims: [2],
      int64Data: [-1, 3],
    }),
  );
  const encoder = onnx.NodeProto.create({
    opType: 'OneHotEncoder',
    domain: 'ai.onnx.ml',
    input: ['color'],
    output: ['color_onehot'],
    attribute: [
      {
        name: 'cats_strings',
        type: onnx.AttributeProto.AttributeType.STRINGS,
        strings: ['red', 'green', 'blue'].map((s) => Buffer.from(s)),
      },
      { name: 'zeros', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
    ],
  });
  const reshape = onnx.NodeProto.create({
    opType: 'Reshape',
    input: ['color_onehot', 'onehot_shape'],
    output: ['color_flat'],
  });
  const concat = graph.node.find((n) => n.opType === 'Concat') as OnnxTypes.NodeProto;
  concat.input = ['color_flat', 'x'];
  graph.node = [encoder, reshape, ...graph.node];
  return onnx.ModelProto.encode(model).finish();
}

/** Runs `use` on the model loaded with in-thread inference, disposing it afterwards. */
export async function withLoadedModel<T>(
  bytes: Uint8Array,
  manifest: unknown,
  use: (m: LoadedModel) => Promise<T>,
): Promise<T> {
  const model = await loadModel(bytes, manifest, { inference: 'in-thread' });
  try {
    return await use(model);
  } finally {
    await model.dispose();
  }
}
