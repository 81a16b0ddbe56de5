import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../../shared/engine/model/load-model.js';
import { identityModel, treeEnsembleClassifier } from '../../../support/onnx-factory.js';
import { scoreWith } from '../../../support/scoring.js';

const model = treeEnsembleClassifier({
  features: 2,
  trees: { seed: 9, trees: 6, depth: 3 },
  zipMap: true,
  input: { kind: 'columns', names: ['a', 'b'] },
});
const csv = `a,b\n${Array.from({ length: 5000 }, (_, i) => `${Math.sin(i)},${Math.cos(i * 0.7)}`).join('\n')}\n`;

describe('inference runners', () => {
  it('scores identically in a worker thread and in the calling thread, across pipelined batches', async () => {
    const worker = await loadModel(model, {}, { inference: 'worker' });
    const inThread = await loadModel(model, {}, { inference: 'in-thread' });
    const a = await scoreWith(worker, csv, { scoring: { batchRows: 128 }, pieceBytes: 4096 });
    const b = await scoreWith(inThread, csv, { scoring: { batchRows: 1000 } });
    await worker.dispose();
    await inThread.dispose();
    expect(a.summary.scoredRows).toBe(5000);
    expect(a.output.equals(b.output)).toBe(true);
  });

  it('reports a model onnxruntime rejects as a ModelError from either runner', async () => {
    const future = identityModel({ elemType: 'float32', onnxOpset: 99, inputName: 'a' });
    for (const inference of ['worker', 'in-thread'] as const) {
      await expect(loadModel(future, { targetType: 'Regression' }, { inference })).rejects.toThrow(
        /onnxruntime cannot load the model/,
      );
    }
  });

  it('fails runs on a disposed model instead of hanging', async () => {
    const loaded = await loadModel(model);
    await loaded.dispose();
    await expect(scoreWith(loaded, 'a,b\n1,2\n')).rejects.toThrow('the model was disposed');
  });
});
