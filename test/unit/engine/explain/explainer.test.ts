import { describe, expect, it } from 'vitest';
import { ModelError, ValidationError } from '../../../../shared/domain/errors.js';
import { backgroundFeeds, checkExplanationBackground } from '../../../../shared/engine/explain/background.js';
import { exactShapley, sampledShapley } from '../../../../shared/engine/explain/coalitions.js';
import { preparedExplainer } from '../../../../shared/engine/explain/explainer.js';
import { playerLayout } from '../../../../shared/engine/explain/feeds.js';
import { ModelEvaluator } from '../../../../shared/engine/explain/model-outputs.js';
import { type LoadedModel, loadModel } from '../../../../shared/engine/model/load-model.js';
import {
  backgroundRows,
  binaryGbdtFixture,
  normalRows,
  oneHotTreePipeline,
  withLoadedModel,
} from '../../../support/explain-fixtures.js';
import {
  categoricalPipeline,
  linearClassifier,
  linearRegressor,
  randomTrees,
  treeEnsembleRegressor,
} from '../../../support/onnx-factory.js';

const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);

/** Feeds and onnxruntime values for records. */
async function rowsOf(model: LoadedModel, records: Array<Record<string, string | number | null>>) {
  const feeds = backgroundFeeds(model.description.inputs, records);
  const fx = await new ModelEvaluator(model).evaluate(feeds, records.length);
  return { feeds, fx, index: records.map((_, i) => i) };
}

describe('explainer selection and the onnxruntime-based algorithms', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const background = normalRows(16, 5, 41);
  const records = backgroundRows(names, normalRows(6, 5, 42));
  const manifest = (extra: Record<string, unknown> = {}) => ({
    explanations: { background: backgroundRows(names, background), ...extra },
  });
  const columns = { kind: 'columns' as const, names };
  // Trees over the first four features only: the fifth column must get 0.
  const fourOfFiveRegressor = () =>
    treeEnsembleRegressor({
      features: 5,
      trees: randomTrees({ seed: 8, trees: 8, depth: 3, features: 4 }),
      input: columns,
    });

  it('picks TreeSHAP for a real binary GBDT (one weight column, LOGISTIC, ZipMap) and it adds up to onnxruntime', async () => {
    const f = binaryGbdtFixture();
    await withLoadedModel(
      f.bytes,
      { explanations: { background: backgroundRows(f.featureNames, f.X.slice(0, 30)) } },
      async (model) => {
        const explainer = await preparedExplainer(model, 'shap');
        expect(explainer.method).toBe('tree-shap');
        const rows = await rowsOf(model, backgroundRows(f.featureNames, f.X.slice(200, 230)));
        const out = await explainer.explain(rows.feeds, rows.index, rows.fx);
        out.forEach((a, i) => {
          expect(Math.abs((a.base[0] as number) + sum(a.phi) - (a.value[0] as number))).toBeLessThan(1e-12);
          expect(Math.abs((a.value[0] as number) - (rows.fx[i] as number))).toBeLessThan(1e-6);
        });
      },
    );
  });

  it('TreeSHAP (in JS) equals exact coalition enumeration through onnxruntime on a regression ensemble', async () => {
    const bytes = fourOfFiveRegressor();
    await withLoadedModel(bytes, manifest(), async (model) => {
      const explainer = await preparedExplainer(model, 'shap');
      expect(explainer.method).toBe('tree-shap');
      const rows = await rowsOf(model, records);
      const tree = await explainer.explain(rows.feeds, rows.index, rows.fx);
      const ctx = await contextOf(model, background);
      const exact = await exactShapley(ctx, rows.feeds, rows.index, rows.fx);
      tree.forEach((t, i) => {
        const e = exact[i];
        expect(Math.abs((t.base[0] as number) - (e?.base[0] as number))).toBeLessThan(1e-5);
        t.phi.forEach((v, j) => expect(Math.abs(v - (e?.phi[j] as number))).toBeLessThan(1e-5));
        expect(t.phi[4]).toBe(0);
      });
    });
  });

  it('sampled Shapley stays within its evaluation budget, adds up exactly, approaches the exact values, and is deterministic', async () => {
    const bytes = fourOfFiveRegressor();
    await withLoadedModel(bytes, manifest(), async (model) => {
      const ctx = await contextOf(model, background);
      const rows = await rowsOf(model, records);
      const exact = await exactShapley(ctx, rows.feeds, rows.index, rows.fx);
      const before = ctx.evaluator.evaluatedRows;
      const budget = 1024;
      const seed = (row: number) => 1000 + row;
      const sampled = await sampledShapley(ctx, rows.feeds, rows.index, rows.fx, budget, seed);
      expect(ctx.evaluator.evaluatedRows - before).toBeLessThanOrEqual(budget * rows.index.length);
      const again = await sampledShapley(ctx, rows.feeds, rows.index, rows.fx, budget, seed);
      sampled.forEach((s, i) => {
        expect(Math.abs((s.base[0] as number) + sum(s.phi) - (rows.fx[i] as number))).toBeLessThan(1e-9);
        expect(Array.from(s.phi)).toEqual(Array.from(again[i]?.phi ?? []));
        const scale = Math.max(...Array.from(exact[i]?.phi ?? [], Math.abs), 1e-9);
        s.phi.forEach((v, j) => expect(Math.abs(v - (exact[i]?.phi[j] as number))).toBeLessThan(0.5 * scale));
      });
    });
  });

  it('linear regressor: exact per-column values w·(x − mean background), zero coefficient → 0', async () => {
    const coefficients = [0.5, -2, 0, 1.25, 3];
    const bytes = linearRegressor({ coefficients, intercept: 0.3, input: columns });
    await withLoadedModel(bytes, manifest(), async (model) => {
      const explainer = await preparedExplainer(model, 'shap');
      expect(explainer.method).toBe('linear');
      const rows = await rowsOf(model, records);
      const out = await explainer.explain(rows.feeds, rows.index, rows.fx);
      out.forEach((a, i) => {
        coefficients.forEach((w, j) => {
          const mean = background.reduce((s, r) => s + Math.fround(r[j] as number), 0) / background.length;
          const x = Math.fround(Number(records[i]?.[names[j] as string]));
          expect(Math.abs((a.phi[j] as number) - w * (x - mean))).toBeLessThan(1e-5);
        });
        expect(a.phi[2]).toBe(0);
        expect(Math.abs((a.base[0] as number) + sum(a.phi) - (rows.fx[i] as number))).toBeLessThan(1e-9);
      });
    });
  });

  it('one column at a time stays within the evaluation budget by comparing with the first references', async () => {
    const coefficients = [0.5, -2, 0, 1.25, 3];
    const bytes = linearRegressor({ coefficients, intercept: 0.3, input: columns });
    // 64 evaluations per row over 5 columns: the first 12 of the 16 background rows.
    await withLoadedModel(bytes, manifest({ evaluationBudget: 64 }), async (model) => {
      const explainer = await preparedExplainer(model, 'shap');
      const rows = await rowsOf(model, records);
      const out = await explainer.explain(rows.feeds, rows.index, rows.fx);
      out.forEach((a, i) => {
        coefficients.forEach((w, j) => {
          const mean = background.slice(0, 12).reduce((s, r) => s + Math.fround(r[j] as number), 0) / 12;
          const x = Math.fround(Number(records[i]?.[names[j] as string]));
          expect(Math.abs((a.phi[j] as number) - w * (x - mean))).toBeLessThan(1e-5);
        });
        expect(Math.abs((a.base[0] as number) + sum(a.phi) - (rows.fx[i] as number))).toBeLessThan(1e-9);
      });
    });
  });

  it('binary logistic regression (+ L1 Normalizer): linear path, additive in probability units', async () => {
    const bytes = linearClassifier({
      coefficients: [
        [-1, 0.5, 0, 2, -0.25],
        [1, -0.5, 0, -2, 0.25],
      ],
      intercepts: [0.1, -0.1],
      normalize: true,
      zipMap: false,
      input: columns,
    });
    await withLoadedModel(bytes, manifest(), async (model) => {
      const explainer = await preparedExplainer(model, 'shap');
      expect(explainer.method).toBe('linear');
      const rows = await rowsOf(model, records);
      const out = await explainer.explain(rows.feeds, rows.index, rows.fx);
      out.forEach((a, i) => {
        expect(Math.abs((a.base[0] as number) + sum(a.phi) - (rows.fx[i] as number))).toBeLessThan(1e-9);
        expect(a.phi[2]).toBe(0);
      });
    });
  });

  it('a pipeline it cannot replay (LabelEncoder + trees): exact enumeration, sampled with a small budget', async () => {
    const bytes = categoricalPipeline({
      categorical: [{ name: 'color', categories: ['red', 'green', 'blue'] }],
      numeric: ['x', 'y'],
      head: { kind: 'trees', trees: randomTrees({ seed: 2, trees: 5, depth: 3, features: 3, columns: 1 }) },
      zipMap: false,
    });
    const bg = normalRows(20, 2, 3).map((r, i) => ({
      color: ['red', 'green', 'blue'][i % 3] as string,
      x: r[0] as number,
      y: r[1] as number,
    }));
    const data = [
      { color: 'blue', x: 0.4, y: -1 },
      { color: 'pink', x: -0.2, y: 0.7 },
    ];
    for (const [budget, method] of [
      [4096, 'exact'],
      [64, 'sampled'],
    ] as const) {
      await withLoadedModel(
        bytes,
        { explanations: { background: bg, evaluationBudget: budget } },
        async (model) => {
          const explainer = await preparedExplainer(model, 'shap');
          expect(explainer.method).toBe(method);
          expect(explainer.players).toEqual(['color', 'x', 'y']);
          const rows = await rowsOf(model, data);
          const out = await explainer.explain(rows.feeds, rows.index, rows.fx);
          out.forEach((a, i) =>
            expect(Math.abs((a.base[0] as number) + sum(a.phi) - (rows.fx[i] as number))).toBeLessThan(1e-9),
          );
        },
      );
    }
  });
});

describe('the manifest background', () => {
  const bytes = linearRegressor({
    coefficients: [1, 2],
    intercept: 0,
    input: { kind: 'columns', names: ['a', 'b'] },
  });

  it('is checked when the package is finalized: a value the model cannot read names its row and column', async () => {
    await withLoadedModel(
      bytes,
      {
        explanations: {
          background: [
            { a: 1, b: 2 },
            { a: 'x', b: 1 },
          ],
        },
      },
      async (model) => {
        await expect(checkExplanationBackground(model)).rejects.toThrow(ModelError);
        await expect(checkExplanationBackground(model)).rejects.toThrow('explanations.background.1.a');
      },
    );
    await withLoadedModel(bytes, { explanations: { background: [{ a: 1 }] } }, async (model) => {
      await expect(checkExplanationBackground(model)).rejects.toThrow('has no "b" column');
    });
    await withLoadedModel(bytes, { explanations: { background: [{ a: 1, b: '' }] } }, async (model) => {
      await expect(checkExplanationBackground(model)).resolves.toBeUndefined();
    });
  });

  it('is validated by the manifest schema (1..1,000 rows, strict fields)', async () => {
    const tooMany = Array.from({ length: 1001 }, () => ({ a: 1, b: 1 }));
    await expect(loadModel(bytes, { explanations: { background: tooMany } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(loadModel(bytes, { explanations: { background: [], extra: 1 } })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

async function contextOf(model: LoadedModel, background: Float64Array[]) {
  return contextOfRecords(model, backgroundRows(playerLayout(model.description.inputs).columns, background));
}

describe('TreeSHAP behind one-hot encoding', () => {
  it('attributes the one-hot block to its CSV column, exactly (= coalition enumeration through onnxruntime)', async () => {
    const bytes = oneHotTreePipeline(17);
    const colors = ['red', 'green', 'blue', 'pink'];
    const bg = normalRows(24, 1, 5).map((r, i) => ({ color: colors[i % 3] as string, x: r[0] as number }));
    const data = colors.map((color, i) => ({ color, x: i - 1.5 }));
    await withLoadedModel(bytes, { explanations: { background: bg } }, async (model) => {
      const explainer = await preparedExplainer(model, 'shap');
      expect(explainer.method).toBe('tree-shap');
      expect(explainer.players).toEqual(['color', 'x']);
      const rows = await rowsOf(model, data);
      const tree = await explainer.explain(rows.feeds, rows.index, rows.fx);
      const ctx = await contextOfRecords(model, bg);
      const exact = await exactShapley(ctx, rows.feeds, rows.index, rows.fx);
      tree.forEach((t, i) => {
        t.phi.forEach((v, j) => expect(Math.abs(v - (exact[i]?.phi[j] as number))).toBeLessThan(1e-5));
        expect(Math.abs((t.base[0] as number) + sum(t.phi) - (rows.fx[i] as number))).toBeLessThan(1e-5);
      });
    });
  });
});

async function contextOfRecords(model: LoadedModel, records: Array<Record<string, string | number | null>>) {
  const inputs = model.description.inputs;
  const feeds = backgroundFeeds(inputs, records);
  const evaluator = new ModelEvaluator(model);
  const backgroundValues = await evaluator.evaluate(feeds, records.length);
  return {
    inputs,
    layout: playerLayout(inputs),
    evaluator,
    background: feeds,
    backgroundRows: records.length,
    backgroundValues,
  };
}
