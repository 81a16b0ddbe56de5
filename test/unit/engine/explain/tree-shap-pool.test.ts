import { afterAll, describe, expect, it } from 'vitest';
import { readTreeEnsemble } from '../../../../shared/engine/explain/tree-ensemble.js';
import { type ScalarTrees, TreeShap } from '../../../../shared/engine/explain/tree-shap.js';
import { TreeShapPool } from '../../../../shared/engine/explain/tree-shap-pool.js';
import { normalRows } from '../../../support/explain-fixtures.js';
import { randomTrees, treeEnsembleRegressor } from '../../../support/onnx-factory.js';

function logisticTrees(bytes: Uint8Array): ScalarTrees {
  const ensemble = readTreeEnsemble(bytes);
  if (!ensemble) throw new Error('no ensemble');
  const leafValue = Float64Array.from(
    { length: ensemble.mode.length },
    (_, n) => ensemble.weights[n] as number,
  );
  return { ensemble, leafValue, base: -0.3, link: 'logistic' };
}

describe('TreeSHAP worker pool', () => {
  const bytes = treeEnsembleRegressor({
    features: 8,
    trees: randomTrees({ seed: 5, trees: 15, depth: 6, features: 8 }),
  });
  const players = Int32Array.of(0, 1, 2, 2, 3, 4, 5, 6);
  const shap = new TreeShap(logisticTrees(bytes), players, 7, normalRows(40, 8, 1), 'tables');
  const pool = TreeShapPool.create(shap.kernelData as NonNullable<typeof shap.kernelData>, 2);
  afterAll(() => pool?.close());

  it('gives, split over 2 workers, exactly what the calling thread computes, in row order', async () => {
    expect(pool?.size).toBe(2);
    const rows = normalRows(37, 8, 2);
    const xs = new Float64Array(rows.length * 8);
    rows.forEach((x, i) => {
      xs.set(x, i * 8);
    });
    const out = await (pool as TreeShapPool).explain(xs, rows.length);
    rows.forEach((x, i) => {
      const phi = new Float64Array(7);
      const local = shap.explain(x, phi);
      const pooled = shap.finish(out.margins[i] as number, out.phi.slice(i * 7, (i + 1) * 7));
      expect(Array.from(pooled.phi)).toEqual(Array.from(phi));
      expect(pooled.value).toBe(local.value);
    });
  });

  it('is not started for one core or for the recursive engine', () => {
    expect(TreeShapPool.create(shap.kernelData as NonNullable<typeof shap.kernelData>, 1)).toBeNull();
    const recursive = new TreeShap(logisticTrees(bytes), players, 7, normalRows(5, 8, 3), 'recursive');
    expect(recursive.kernelData).toBeNull();
  });

  it('fails pending and later slices with a clear error once closed', async () => {
    const other = TreeShapPool.create(
      shap.kernelData as NonNullable<typeof shap.kernelData>,
      2,
    ) as TreeShapPool;
    await other.close();
    await expect(other.explain(new Float64Array(8 * 20), 20)).rejects.toThrow(/closed/);
  });
});
