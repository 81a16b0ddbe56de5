import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { stripZipMap } from '../../../shared/engine/model/onnx-graph.js';
import { fitGbdt, referenceGbdt, syntheticBinaryData } from '../../support/gbdt.js';
import {
  type BranchMode,
  type ClassLabels,
  categoricalPipeline,
  createRng,
  evaluateTrees,
  identityModel,
  linearClassifier,
  linearRegressor,
  normalQuantile,
  type PostTransform,
  randomTrees,
  type TreeNode,
  treeEnsembleClassifier,
  treeEnsembleRegressor,
  untypedOutputModel,
} from '../../support/onnx-factory.js';

// ---------------------------------------------------------------------------------------------------------------
// Independent expectations: what onnxruntime 1.30 computes, written out in plain JS.

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

function transform(scores: number[], post: PostTransform): number[] {
  if (post === 'LOGISTIC') return scores.map(sigmoid);
  if (post === 'SOFTMAX') {
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  }
  return scores;
}

const argmax = (values: number[]): number => values.indexOf(Math.max(...values));

interface TreeClassifierSpec {
  trees: TreeNode[];
  labels: ClassLabels;
  post: PostTransform;
  baseValues?: number[];
  mode?: BranchMode;
}

/**
 * ORT's TreeEnsembleClassifier. Binary single-column layout (2 labels, one weight per leaf, class_ids 0): the
 * score m is the positive class; output [1-σ(m), σ(m)] for LOGISTIC, [-m, m] for NONE, but [1-m, m] when every
 * weight is >= 0; label positive when m > 0 (m > 0.5 with all weights >= 0). Two labels with two weight
 * columns: label positive when the raw class-1 score > 0. Otherwise: argmax.
 */
function expectedTreeClassifier(
  spec: TreeClassifierSpec,
  row: ArrayLike<number>,
): { probs: number[]; label: number } {
  const raw = evaluateTrees(spec.trees, row, { mode: spec.mode ?? 'BRANCH_LEQ' });
  const scores = raw.map((s, i) => s + (spec.baseValues?.[i] ?? 0));
  if (scores.length === 1) {
    const m = scores[0] ?? 0;
    const allPositive = allLeafWeights(spec.trees).every((w) => w >= 0);
    const threshold = allPositive ? 0.5 : 0;
    const label = m > threshold ? 1 : 0;
    if (spec.post === 'LOGISTIC') return { probs: [1 - sigmoid(m), sigmoid(m)], label };
    return { probs: allPositive ? [1 - m, m] : [-m, m], label };
  }
  const label = spec.labels.length === 2 ? ((scores[1] ?? 0) > 0 ? 1 : 0) : argmax(scores);
  return { probs: transform(scores, spec.post), label };
}

function allLeafWeights(trees: readonly TreeNode[]): number[] {
  const walk = (n: TreeNode): number[] =>
    'feature' in n ? [...walk(n.ifTrue), ...walk(n.ifFalse)] : n.weights;
  return trees.flatMap(walk);
}

// ---------------------------------------------------------------------------------------------------------------
// Running models

/** Standard-normal float32 rows, with about 5% NaN when `missing` is set. */
function randomRows(rows: number, columns: number, seed: number, missing = false): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: rows * columns }, () =>
    missing && rng.next() < 0.05 ? Number.NaN : rng.normal(),
  );
}

const rowOf = (data: ArrayLike<number>, columns: number, r: number): number[] =>
  Array.from({ length: columns }, (_, c) => data[r * columns + c] ?? Number.NaN);

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.ReturnType> {
  // One thread: trees are then summed in order, as the JS walk does.
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const floats = (tensor: ort.Tensor | undefined): number[] =>
  Array.from(tensor?.data as Float32Array | Float64Array);
const labelsOf = (tensor: ort.Tensor | undefined): Array<number | string> =>
  Array.from(tensor?.data as ArrayLike<bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(0, ...actual.map((a, i) => Math.abs(a - (expected[i] ?? Number.NaN))));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

interface ClassifierCase {
  name: string;
  features: number;
  spec: TreeClassifierSpec;
  zipMap?: boolean;
}

async function checkTreeClassifier(c: ClassifierCase, extra: { batchSize?: number; columns?: boolean } = {}) {
  const rows = extra.batchSize ?? 200;
  const data = randomRows(rows, c.features, 17, true);
  const names = Array.from({ length: c.features }, (_, i) => `c${i}`);
  const bytes = treeEnsembleClassifier({
    features: c.features,
    trees: c.spec.trees,
    classLabels: c.spec.labels,
    postTransform: c.spec.post,
    zipMap: c.zipMap ?? false,
    ...(c.spec.baseValues ? { baseValues: c.spec.baseValues } : {}),
    ...(c.spec.mode ? { mode: c.spec.mode } : {}),
    ...(extra.batchSize ? { batchSize: extra.batchSize } : {}),
    ...(extra.columns ? { input: { kind: 'columns' as const, names } } : {}),
  });
  const runnable = stripZipMap(bytes).bytes;
  const feeds = extra.columns
    ? Object.fromEntries(
        names.map((n, f) => [
          n,
          new ort.Tensor(
            'float32',
            Float32Array.from({ length: rows }, (_, r) => data[r * c.features + f] ?? Number.NaN),
            [rows, 1],
          ),
        ]),
      )
    : { input: new ort.Tensor('float32', data, [rows, c.features]) };
  const out = await run(runnable, feeds);
  const expected = Array.from({ length: rows }, (_, r) =>
    expectedTreeClassifier(c.spec, rowOf(data, c.features, r)),
  );
  expectClose(
    floats(out.probabilities),
    expected.flatMap((e) => e.probs),
    2e-6,
  );
  const labelOutput = c.zipMap ? out.output_label : out.label;
  expect(labelsOf(labelOutput)).toEqual(expected.map((e) => c.spec.labels[e.label]));
}

// ---------------------------------------------------------------------------------------------------------------

describe('seeded helpers', () => {
  it('createRng is deterministic per seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(createRng(43).next()).not.toBe(first[0]);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('normalQuantile inverts the normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('randomTrees are reproducible and route standard-normal rows evenly', () => {
    const trees = randomTrees({ seed: 3, trees: 4, depth: 3, features: 5 });
    expect(randomTrees({ seed: 3, trees: 4, depth: 3, features: 5 })).toEqual(trees);
    // Mark each leaf with a one-hot weight and count rows per leaf.
    let nextLeaf = 0;
    const relabel = (n: TreeNode): TreeNode => {
      if ('feature' in n) return { ...n, ifTrue: relabel(n.ifTrue), ifFalse: relabel(n.ifFalse) };
      const leaf = nextLeaf++;
      return { weights: Array.from({ length: 8 }, (_, i) => (i === leaf ? 1 : 0)) };
    };
    const marked = [relabel(trees[0]!)];
    const data = randomRows(20_000, 5, 8);
    const counts = new Array<number>(8).fill(0);
    for (let r = 0; r < 20_000; r++) {
      const hit = evaluateTrees(marked, rowOf(data, 5, r));
      counts[hit.indexOf(1)]! += 1;
    }
    for (const count of counts) {
      expect(count / 20_000).toBeGreaterThan(0.04);
      expect(count / 20_000).toBeLessThan(0.25);
    }
  });
});

describe('treeEnsembleClassifier matches a JS walk of its trees in onnxruntime', () => {
  const binary = randomTrees({ seed: 1, trees: 20, depth: 4, features: 6, leafScale: 0.3 });
  const nonNegative = randomTrees({ seed: 2, trees: 3, depth: 2, features: 6 }).map(
    function abs(n): TreeNode {
      return 'feature' in n
        ? { ...n, ifTrue: abs(n.ifTrue), ifFalse: abs(n.ifFalse) }
        : { weights: n.weights.map(Math.abs) };
    },
  );
  const multiclass = randomTrees({ seed: 4, trees: 12, depth: 3, features: 6, columns: 3, leafScale: 0.5 });
  const twoColumns = randomTrees({ seed: 5, trees: 10, depth: 3, features: 6, columns: 2, leafScale: 0.5 });

  const cases: ClassifierCase[] = [
    {
      name: 'binary onnxmltools layout, LOGISTIC',
      features: 6,
      spec: { trees: binary, labels: [0, 1], post: 'LOGISTIC' },
    },
    {
      name: 'binary layout, NONE gives [-m, m]',
      features: 6,
      spec: { trees: binary, labels: [0, 1], post: 'NONE' },
    },
    {
      name: 'binary layout with base_values and string labels, ZipMap',
      features: 6,
      spec: { trees: binary, labels: ['neg', 'pos'], post: 'LOGISTIC', baseValues: [0.4] },
      zipMap: true,
    },
    {
      name: 'binary layout, non-negative weights, NONE gives [1-m, m]',
      features: 6,
      spec: { trees: nonNegative, labels: [0, 1], post: 'NONE' },
    },
    {
      name: 'binary layout, non-negative weights, LOGISTIC',
      features: 6,
      spec: { trees: nonNegative, labels: [0, 1], post: 'LOGISTIC' },
    },
    {
      name: 'two weight columns (sklearn random forest layout), NONE',
      features: 6,
      spec: { trees: twoColumns, labels: [0, 1], post: 'NONE' },
    },
    {
      name: 'multiclass SOFTMAX with string labels, ZipMap',
      features: 6,
      spec: { trees: multiclass, labels: ['b', 'a', 'c'], post: 'SOFTMAX' },
      zipMap: true,
    },
    {
      name: 'multiclass LOGISTIC with base values',
      features: 6,
      spec: { trees: multiclass, labels: [3, 1, 2], post: 'LOGISTIC', baseValues: [0.1, -0.2, 0.3] },
    },
    {
      name: 'multiclass NONE, BRANCH_LT',
      features: 6,
      spec: { trees: multiclass, labels: [0, 1, 2], post: 'NONE', mode: 'BRANCH_LT' },
    },
  ];
  it.each(cases)('$name', (c) => checkTreeClassifier(c));

  it('per-column [N,1] inputs concatenated, fixed batch size', () =>
    checkTreeClassifier(
      {
        name: 'columns',
        features: 6,
        spec: { trees: multiclass, labels: [0, 1, 2], post: 'SOFTMAX' },
        zipMap: true,
      },
      { batchSize: 7, columns: true },
    ));

  it('routes ties and NaN like onnxruntime for BRANCH_LEQ and BRANCH_LT', async () => {
    const tree: TreeNode = {
      feature: 0,
      threshold: 0.5,
      missingTracksTrue: true,
      ifTrue: { weights: [1] },
      ifFalse: { feature: 1, threshold: -1, ifTrue: { weights: [-1] }, ifFalse: { weights: [-2] } },
    };
    const data = Float32Array.from([0.5, 0, Number.NaN, 0, 0.75, -1, 0.75, Number.NaN]);
    for (const mode of ['BRANCH_LEQ', 'BRANCH_LT'] as const) {
      const bytes = treeEnsembleClassifier({
        features: 2,
        trees: [tree],
        postTransform: 'NONE',
        zipMap: false,
        mode,
      });
      const out = await run(bytes, { input: new ort.Tensor('float32', data, [4, 2]) });
      const margins = [0, 1, 2, 3].map((r) => evaluateTrees([tree], rowOf(data, 2, r), { mode })[0]);
      expect(floats(out.probabilities).filter((_, i) => i % 2 === 1)).toEqual(margins);
    }
    expect(evaluateTrees([tree], [0.5, 0], { mode: 'BRANCH_LEQ' })).toEqual([1]);
    expect(evaluateTrees([tree], [0.5, 0], { mode: 'BRANCH_LT' })).toEqual([-2]);
  });

  it('loads with other opsets (ai.onnx 11 and 17, ai.onnx.ml 3)', async () => {
    for (const opsets of [{ onnxOpset: 11 }, { onnxOpset: 17, mlOpset: 3 as const }]) {
      const bytes = treeEnsembleClassifier({ features: 6, trees: binary, zipMap: false, ...opsets });
      const out = await run(bytes, { input: new ort.Tensor('float32', randomRows(2, 6, 1), [2, 6]) });
      expect(out.probabilities?.dims).toEqual([2, 2]);
    }
  });

  it('rejects leaves whose width fits neither layout', () => {
    expect(() => treeEnsembleClassifier({ features: 6, trees: twoColumns, classLabels: [0, 1, 2] })).toThrow(
      /Leaves carry 2 weights/,
    );
  });

  it('builds random trees from a seed in the binary layout for two labels', async () => {
    const bytes = treeEnsembleClassifier({
      features: 3,
      trees: { seed: 9, trees: 5, depth: 2 },
      zipMap: false,
    });
    const trees = randomTrees({ seed: 9, trees: 5, depth: 2, features: 3 });
    const data = randomRows(10, 3, 2);
    const out = await run(bytes, { input: new ort.Tensor('float32', data, [10, 3]) });
    const expected = Array.from({ length: 10 }, (_, r) =>
      expectedTreeClassifier({ trees, labels: [0, 1], post: 'LOGISTIC' }, rowOf(data, 3, r)),
    );
    expectClose(
      floats(out.probabilities),
      expected.flatMap((e) => e.probs),
      2e-6,
    );
  });
});

describe('treeEnsembleRegressor', () => {
  it('float32: [N,1] output equals the summed leaves plus base value', async () => {
    const trees = randomTrees({ seed: 6, trees: 15, depth: 4, features: 5, leafScale: 1 });
    const bytes = treeEnsembleRegressor({ features: 5, trees, baseValue: 0.5, mode: 'BRANCH_LT' });
    const data = randomRows(100, 5, 3, true);
    const out = await run(bytes, { input: new ort.Tensor('float32', data, [100, 5]) });
    expect(out.variable?.dims).toEqual([100, 1]);
    const expected = Array.from(
      { length: 100 },
      (_, r) => (evaluateTrees(trees, rowOf(data, 5, r), { mode: 'BRANCH_LT' })[0] ?? 0) + 0.5,
    );
    expectClose(floats(out.variable), expected, 1e-5);
  });

  it('float64: compares in double precision (a tie float32 would hide) and outputs double [N,1]', async () => {
    const threshold = 1.7999999523162842; // exactly the float32 nearest to 1.8
    const trees: TreeNode[] = [
      { feature: 2, threshold, ifTrue: { weights: [0.25] }, ifFalse: { weights: [0.75] } },
    ];
    const bytes = treeEnsembleRegressor({ features: 3, trees, precision: 'float64' });
    const data = Float64Array.from([0, 1, 1.7999999523162842, 0, 1, 1.79999995232, 0, 1, Number.NaN]);
    const out = await run(bytes, { input: new ort.Tensor('float64', data, [3, 3]) });
    expect(out.variable?.type).toBe('float64');
    expect(floats(out.variable)).toEqual([0.25, 0.75, 0.75]);
    const doubleWalk = [0, 1, 2].map(
      (r) => evaluateTrees(trees, rowOf(data, 3, r), { precision: 'float64' })[0],
    );
    expect(doubleWalk).toEqual([0.25, 0.75, 0.75]);
    // The float32 walk cannot tell 1.79999995232 from the threshold: that is why double models exist.
    expect(evaluateTrees(trees, rowOf(data, 3, 1))).toEqual([0.25]);
  });
});

describe('linear models', () => {
  const rng = createRng(21);
  const matrix = (rows: number, columns: number): number[][] =>
    Array.from({ length: rows }, () => Array.from({ length: columns }, () => Math.fround(rng.normal())));

  const linearCases: Array<{ name: string; classes: ClassLabels; post: PostTransform; normalize: boolean }> =
    [
      {
        name: 'binary LOGISTIC + Normalizer (skl2onnx LogisticRegression)',
        classes: [0, 1],
        post: 'LOGISTIC',
        normalize: true,
      },
      {
        name: 'multiclass SOFTMAX, string labels',
        classes: ['x', 'y', 'z'],
        post: 'SOFTMAX',
        normalize: false,
      },
      { name: 'multiclass NONE', classes: [0, 1, 2, 3], post: 'NONE', normalize: false },
    ];
  it.each(linearCases)('linearClassifier: $name', async ({ classes, post, normalize }) => {
    const coefficients = matrix(classes.length, 4);
    const intercepts = matrix(1, classes.length)[0]!;
    const bytes = linearClassifier({
      coefficients,
      intercepts,
      classLabels: classes,
      postTransform: post,
      normalize,
    });
    const data = randomRows(50, 4, 4);
    const out = await run(stripZipMap(bytes).bytes, { input: new ort.Tensor('float32', data, [50, 4]) });
    const expected = Array.from({ length: 50 }, (_, r) => {
      const row = rowOf(data, 4, r);
      const scores = coefficients.map(
        (w, c) => (intercepts[c] ?? 0) + w.reduce((s, wi, i) => s + wi * (row[i] ?? 0), 0),
      );
      const probs = transform(scores, post);
      const total = probs.reduce((a, b) => a + b, 0);
      return { probs: normalize ? probs.map((p) => p / total) : probs, label: classes[argmax(scores)] };
    });
    expectClose(
      floats(out.probabilities),
      expected.flatMap((e) => e.probs),
      2e-6,
    );
    expect(labelsOf(out.output_label)).toEqual(expected.map((e) => e.label));
  });

  it('linearRegressor: dot product plus intercept, [N,1]', async () => {
    const coefficients = matrix(1, 5)[0]!;
    const bytes = linearRegressor({
      coefficients,
      intercept: 1.5,
      input: { kind: 'columns', names: ['a', 'b', 'c', 'd', 'e'] },
    });
    const data = randomRows(30, 5, 5);
    const feeds = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].map((n, f) => [
        n,
        new ort.Tensor(
          'float32',
          Float32Array.from({ length: 30 }, (_, r) => data[r * 5 + f] ?? 0),
          [30, 1],
        ),
      ]),
    );
    const out = await run(bytes, feeds);
    const expected = Array.from({ length: 30 }, (_, r) =>
      rowOf(data, 5, r).reduce((s, x, i) => s + x * (coefficients[i] ?? 0), 1.5),
    );
    expect(out.variable?.dims).toEqual([30, 1]);
    expectClose(floats(out.variable), expected, 1e-5);
  });

  it('untypedOutputModel: the only output has no declared type but returns normalized probabilities', async () => {
    const coefficients = matrix(3, 4);
    const intercepts = [0.6, 0.8, -1.5];
    const bytes = untypedOutputModel({ coefficients, intercepts, postTransform: 'SOFTMAX' });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.outputNames).toEqual(['probabilities']);
    await session.release();
    const data = randomRows(20, 4, 6);
    const out = await run(bytes, { X: new ort.Tensor('float32', data, [20, 4]) });
    const expected = Array.from({ length: 20 }, (_, r) => {
      const row = rowOf(data, 4, r);
      return transform(
        coefficients.map((w, c) => (intercepts[c] ?? 0) + w.reduce((s, wi, i) => s + wi * (row[i] ?? 0), 0)),
        'SOFTMAX',
      );
    });
    expect(out.probabilities?.dims).toEqual([20, 3]);
    expectClose(floats(out.probabilities), expected.flat(), 2e-6);
  });
});

describe('categoricalPipeline (string inputs)', () => {
  const sexes = ['female', 'male'];
  const ports = ['C', 'Q', 'S'];
  const rows = [
    ['male', 'S', 22, 7.25],
    ['female', 'C', 38, 71.28],
    ['female', 'unknown', Number.NaN, 8.05],
    ['', 'Q', 35, 53.1],
  ] as const;
  const feeds = {
    sex: new ort.Tensor(
      'string',
      rows.map((r) => r[0]),
      [4, 1],
    ),
    embarked: new ort.Tensor(
      'string',
      rows.map((r) => r[1]),
      [4, 1],
    ),
    age: new ort.Tensor('float32', Float32Array.from(rows.map((r) => r[2])), [4, 1]),
    fare: new ort.Tensor('float32', Float32Array.from(rows.map((r) => r[3])), [4, 1]),
  };
  // LabelEncoder: category index, -1 for anything unseen.
  const features = rows.map((r) => [sexes.indexOf(r[0]), ports.indexOf(r[1]), r[2], r[3]]);
  const categorical = [
    { name: 'sex', categories: sexes },
    { name: 'embarked', categories: ports },
  ];

  it('encodes strings and feeds a linear head', async () => {
    const coefficients = [
      [0.5, -0.2, 0.01, 0.003],
      [-0.5, 0.2, -0.01, -0.003],
    ];
    const intercepts = [0.1, -0.1];
    const bytes = categoricalPipeline({
      categorical,
      numeric: ['age', 'fare'],
      head: { kind: 'linear', coefficients, intercepts, postTransform: 'LOGISTIC', normalize: true },
      onnxOpset: 11,
    });
    const out = await run(stripZipMap(bytes).bytes, feeds);
    const expected = features.flatMap((row) => {
      const probs = coefficients.map((w, c) =>
        sigmoid((intercepts[c] ?? 0) + w.reduce((s, wi, i) => s + wi * (row[i] ?? 0), 0)),
      );
      const total = (probs[0] ?? 0) + (probs[1] ?? 0);
      return probs.map((p) => p / total);
    });
    // NaN age propagates through the linear head, as in the real titanic pipeline without its Imputer.
    expectClose(floats(out.probabilities).slice(0, 4), expected.slice(0, 4), 2e-6);
    expect(floats(out.probabilities).slice(4, 6).every(Number.isNaN)).toBe(true);
    expectClose(floats(out.probabilities).slice(6), expected.slice(6), 2e-6);
  });

  it('encodes strings and feeds a tree head', async () => {
    const trees = randomTrees({ seed: 12, trees: 6, depth: 3, features: 4, leafScale: 0.5 });
    const bytes = categoricalPipeline({
      categorical,
      numeric: ['age', 'fare'],
      head: { kind: 'trees', trees },
      zipMap: false,
    });
    const out = await run(bytes, feeds);
    const expected = features.flatMap(
      (row) => expectedTreeClassifier({ trees, labels: [0, 1], post: 'LOGISTIC' }, row).probs,
    );
    expectClose(floats(out.probabilities), expected, 2e-6);
  });
});

describe('identityModel', () => {
  it('round-trips int64, float64, string and bool tensors', async () => {
    const cases: Array<[ElemCase, ort.Tensor]> = [
      ['int64', new ort.Tensor('int64', BigInt64Array.from([1n, -(2n ** 62n), 3n]), [3, 1])],
      ['float64', new ort.Tensor('float64', Float64Array.from([0.1, 1e300, -2.5]), [3, 1])],
      ['string', new ort.Tensor('string', ['a', '', 'é'], [3, 1])],
      ['bool', new ort.Tensor('bool', Uint8Array.from([1, 0, 1]), [3, 1])],
    ];
    for (const [elemType, tensor] of cases) {
      const out = await run(identityModel({ elemType }), { input: tensor });
      expect(out.output?.type).toBe(tensor.type);
      expect(Array.from(out.output?.data as ArrayLike<unknown>)).toEqual(
        Array.from(tensor.data as ArrayLike<unknown>),
      );
    }
  });
});
type ElemCase = 'int64' | 'float64' | 'string' | 'bool';

describe('gbdt', () => {
  it('referenceGbdt: 100 depth-6 trees on 20 features, probabilities equal the JS walk', async () => {
    const model = referenceGbdt({ seed: 1 });
    expect(model.featureNames).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}`));
    expect(model.trees).toHaveLength(100);
    const data = randomRows(500, 20, 2);
    const out = await run(model.bytes, { input: new ort.Tensor('float32', data, [500, 20]) });
    const positive = floats(out.probabilities).filter((_, i) => i % 2 === 1);
    const expected = Array.from({ length: 500 }, (_, r) =>
      sigmoid(evaluateTrees(model.trees, rowOf(data, 20, r))[0] ?? 0),
    );
    expectClose(positive, expected, 1e-6);
    // Unit-scale margins: predictions spread over the whole probability range.
    expect(Math.min(...positive)).toBeLessThan(0.1);
    expect(Math.max(...positive)).toBeGreaterThan(0.9);
  });

  it('referenceGbdt with ZipMap becomes runnable through stripZipMap', async () => {
    const model = referenceGbdt({ seed: 1, trees: 5, depth: 3, features: 4, zipMap: true });
    const stripped = stripZipMap(model.bytes);
    expect(stripped.replaced[0]?.classLabels).toEqual([0, 1]);
    const out = await run(stripped.bytes, { input: new ort.Tensor('float32', randomRows(3, 4, 1), [3, 4]) });
    expect(out.probabilities?.dims).toEqual([3, 2]);
  });

  it('fitGbdt learns a nonlinear rule and its ONNX export equals the JS model to 1e-6', async () => {
    const data = syntheticBinaryData({ rows: 2000, features: 6, seed: 7 });
    const model = fitGbdt(data.X, data.y, { trees: 60, depth: 4, learningRate: 0.3, seed: 1 });
    const accuracy =
      data.X.filter((row, i) => (model.probability(row) > 0.5 ? 1 : 0) === data.y[i]).length / 2000;
    expect(accuracy).toBeGreaterThan(0.95);

    const bytes = model.toOnnx({ featureNames: data.featureNames });
    const stripped = stripZipMap(bytes);
    expect(stripped.replaced).toHaveLength(1);
    const feeds = Object.fromEntries(
      data.featureNames.map((name, f) => [
        name,
        new ort.Tensor(
          'float32',
          Float32Array.from(data.X, (row) => row[f] ?? 0),
          [2000, 1],
        ),
      ]),
    );
    const out = await run(stripped.bytes, feeds);
    const probabilities = floats(out.probabilities);
    expectClose(
      probabilities.filter((_, i) => i % 2 === 1),
      data.X.map((row) => model.probability(row)),
      1e-6,
    );
    expectClose(
      probabilities.filter((_, i) => i % 2 === 0),
      data.X.map((row) => 1 - model.probability(row)),
      1e-6,
    );
  });

  it('fitGbdt is deterministic for a seed and sends NaN down the false branch', () => {
    const data = syntheticBinaryData({ rows: 300, features: 4, seed: 3 });
    const a = fitGbdt(data.X, data.y, { trees: 5, depth: 3, learningRate: 0.5, seed: 2 });
    const b = fitGbdt(data.X, data.y, { trees: 5, depth: 3, learningRate: 0.5, seed: 2 });
    expect(b.trees).toEqual(a.trees);
    const row = Float64Array.from([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    const falseWalk = a.trees.map(function deepestFalse(n: TreeNode): number {
      return 'feature' in n ? deepestFalse(n.ifFalse) : (n.weights[0] ?? 0);
    });
    expect(a.margin(row)).toBeCloseTo(
      falseWalk.reduce((s, w) => s + w, a.baseScore),
      5,
    );
  });
});
