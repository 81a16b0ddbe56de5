import { describe, expect, it } from 'vitest';
import { readTreeEnsemble } from '../../../../shared/engine/explain/tree-ensemble.js';
import { type Link, type ScalarTrees, TreeShap } from '../../../../shared/engine/explain/tree-shap.js';
import { bruteForceShapley, normalRows } from '../../../support/explain-fixtures.js';
import { randomTrees, treeEnsembleRegressor } from '../../../support/onnx-factory.js';

/** A scalar view of a parsed single-output ensemble. */
function scalar(bytes: Uint8Array, link: Link = 'identity', base = 0): ScalarTrees {
  const ensemble = readTreeEnsemble(bytes);
  if (!ensemble) throw new Error('no ensemble');
  const leafValue = Float64Array.from(
    { length: ensemble.mode.length },
    (_, n) => ensemble.weights[n] as number,
  );
  return { ensemble, leafValue, base, link };
}

describe('interventional TreeSHAP', () => {
  // 4 features split on, a 5th input column never used by any tree.
  const trees = randomTrees({ seed: 3, trees: 6, depth: 4, features: 4 });
  const bytes = treeEnsembleRegressor({ features: 5, trees });
  const background = normalRows(12, 5, 21);
  const rows = normalRows(8, 5, 22);

  it('equals brute-force Shapley values over all coalitions, adds up, and gives an unused column 0', () => {
    const shap = new TreeShap(scalar(bytes, 'identity', 0.5), Int32Array.of(0, 1, 2, 3, 4), 5, background);
    const f = (row: Float64Array) => shap.value(row);
    for (const x of rows) {
      const phi = new Float64Array(5);
      const res = shap.explain(x, phi);
      const exact = bruteForceShapley(f, x, background, [[0], [1], [2], [3], [4]]);
      expect(res.base).toBeCloseTo(exact.base, 12);
      exact.phi.forEach((p, j) => expect(Math.abs((phi[j] as number) - p)).toBeLessThan(1e-12));
      expect(phi[4]).toBe(0);
      expect(Math.abs(res.base + phi.reduce((s, v) => s + v, 0) - res.value)).toBeLessThan(1e-12);
    }
  });

  it('treats features of one CSV column as one player (exact group Shapley value)', () => {
    // Features 0 and 1 come from one column (as the one-hot columns of one field would).
    const shap = new TreeShap(scalar(bytes), Int32Array.of(0, 0, 1, 2, 3), 4, background);
    const f = (row: Float64Array) => shap.value(row);
    for (const x of rows.slice(0, 4)) {
      const phi = new Float64Array(4);
      shap.explain(x, phi);
      const exact = bruteForceShapley(f, x, background, [[0, 1], [2], [3], [4]]);
      exact.phi.forEach((p, j) => expect(Math.abs((phi[j] as number) - p)).toBeLessThan(1e-12));
    }
  });

  it('logistic output: probability-unit values add up to σ(margin) exactly; margin values match brute force', () => {
    const prob = new TreeShap(scalar(bytes, 'logistic', -0.2), Int32Array.of(0, 1, 2, 3, 4), 5, background);
    const margin = new TreeShap(scalar(bytes, 'identity', -0.2), Int32Array.of(0, 1, 2, 3, 4), 5, background);
    for (const x of rows) {
      const phi = new Float64Array(5);
      const res = prob.explain(x, phi);
      expect(Math.abs(res.base + phi.reduce((s, v) => s + v, 0) - res.value)).toBeLessThan(1e-12);
      expect(res.value).toBeCloseTo(1 / (1 + Math.exp(-margin.value(x))), 14);
      const mphi = new Float64Array(5);
      margin.explain(x, mphi);
      const exact = bruteForceShapley((r) => margin.value(r), x, background, [[0], [1], [2], [3], [4]]);
      exact.phi.forEach((p, j) => expect(Math.abs((mphi[j] as number) - p)).toBeLessThan(1e-12));
    }
  });

  it('is deterministic', () => {
    const a = new TreeShap(scalar(bytes), Int32Array.of(0, 1, 2, 3, 4), 5, background);
    const b = new TreeShap(scalar(bytes), Int32Array.of(0, 1, 2, 3, 4), 5, background);
    const pa = new Float64Array(5);
    const pb = new Float64Array(5);
    a.explain(rows[0] as Float64Array, pa);
    b.explain(rows[0] as Float64Array, pb);
    expect(Array.from(pa)).toEqual(Array.from(pb));
  });
});

describe('TreeSHAP engines', () => {
  it('leaf tables equal the recursion on a deeper ensemble, with any background size', () => {
    const trees = randomTrees({ seed: 9, trees: 20, depth: 6, features: 7 });
    const bytes = treeEnsembleRegressor({ features: 8, trees });
    const background = normalRows(60, 8, 31);
    const players = Int32Array.of(0, 1, 2, 2, 3, 4, 5, 6);
    const tables = new TreeShap(scalar(bytes, 'logistic'), players, 7, background, 'tables');
    const recursive = new TreeShap(scalar(bytes, 'logistic'), players, 7, background, 'recursive');
    expect(tables.engine).toBe('tables');
    expect(recursive.engine).toBe('recursive');
    for (const x of normalRows(10, 8, 32)) {
      const a = new Float64Array(7);
      const b = new Float64Array(7);
      const ra = tables.explain(x, a);
      recursive.explain(x, b);
      a.forEach((v, j) => expect(Math.abs(v - (b[j] as number))).toBeLessThan(1e-12));
      expect(Math.abs(ra.base + a.reduce((s, v) => s + v, 0) - ra.value)).toBeLessThan(1e-12);
      expect(a[6]).toBe(0);
    }
  });
});
