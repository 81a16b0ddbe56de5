import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backgroundFeeds } from '../../shared/engine/explain/background.js';
import { preparedExplainer } from '../../shared/engine/explain/explainer.js';
import { ModelEvaluator } from '../../shared/engine/explain/model-outputs.js';
import { loadModel } from '../../shared/engine/model/load-model.js';

/**
 * Every real third-party model in ../shared/models explained on its dataset rows: the first 20 rows are the
 * background, the other 30 are explained. SHAP values (regression, binary) must add up to onnxruntime's output;
 * multiclass models get the XEMP emulation. The method each model gets is part of the contract.
 */
const MODELS = resolve(import.meta.dirname, '../../../shared/models');

interface Expected {
  model: string;
  task: 'binary' | 'multiclass' | 'regression';
  input_rows: Array<Record<string, string>>;
  feature_mapping: Record<string, string | string[]>;
}

const METHODS: Record<string, string> = {
  'tract_xgboost_regressor_tree.onnx': 'tree-shap',
  'ort_tree_ensemble_as_tensor.onnx': 'tree-shap',
  'skl2onnx_pipeline_titanic.onnx': 'linear',
  'skl2onnx_pipeline_titanic_nozipmap.onnx': 'linear',
  'ort_sklearn_bin_voting_classifier_soft.onnx': 'exact',
};

const expectations = readdirSync(join(MODELS, 'expected'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(MODELS, 'expected', f), 'utf8')) as Expected);

describe('explanations on the real models', () => {
  for (const expected of expectations) {
    it(`${expected.model} (${expected.task})`, async () => {
      const background = expected.input_rows.slice(0, 20);
      const model = await loadModel(
        readFileSync(join(MODELS, expected.model)),
        { inputs: expected.feature_mapping, explanations: { background } },
        { inference: 'in-thread' },
      );
      try {
        const algorithm = expected.task === 'multiclass' ? 'xemp' : 'shap';
        const explainer = await preparedExplainer(model, algorithm);
        expect(explainer.method).toBe(METHODS[expected.model] ?? 'xemp-emulation');
        const rows = expected.input_rows.slice(20);
        const feeds = backgroundFeeds(model.description.inputs, rows);
        const fx = await new ModelEvaluator(model).evaluate(feeds, rows.length);
        const out = await explainer.explain(
          feeds,
          rows.map((_, i) => i),
          fx,
        );
        const k = explainer.outputs;
        const m = explainer.players.length;
        out.forEach((a, i) => {
          for (let c = 0; c < k; c++) {
            const value = fx[i * k + c] as number;
            const phi = a.phi.subarray(c * m, (c + 1) * m);
            expect(phi.every(Number.isFinite)).toBe(true);
            if (algorithm === 'shap') {
              const total = (a.base[c] as number) + phi.reduce((s, v) => s + v, 0);
              expect(Math.abs(total - value)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(value)));
            }
          }
        });
      } finally {
        await model.dispose();
      }
    });
  }
});
