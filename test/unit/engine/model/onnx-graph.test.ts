import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxFormatError, readGraphFacts, stripZipMap } from '../../../../shared/engine/model/onnx-graph.js';
import {
  createRng,
  identityModel,
  linearClassifier,
  randomTrees,
  treeEnsembleClassifier,
  treeEnsembleRegressor,
  untypedOutputModel,
} from '../../../support/onnx-factory.js';

const { onnx } = onnxProto;

const multiclassTrees = randomTrees({ seed: 11, trees: 5, depth: 3, features: 4, columns: 3 });

function randomMatrix(rows: number, columns: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: rows * columns }, () => rng.normal());
}

async function runAll(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.ReturnType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Decodes, edits and re-encodes a model (for graph shapes the factory has no reason to build). */
function editModel(bytes: Uint8Array, edit: (graph: onnxProto.onnx.GraphProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  edit(model.graph as onnxProto.onnx.GraphProto);
  return onnx.ModelProto.encode(model).finish();
}

describe('readGraphFacts', () => {
  it('describes a converter-style tree classifier with ZipMap', () => {
    const facts = readGraphFacts(
      treeEnsembleClassifier({ features: 4, trees: multiclassTrees, classLabels: [0, 1, 2], zipMap: true }),
    );
    expect(facts.inputs).toEqual([{ name: 'input', elemType: 'float32', dims: [null, 4], kind: 'tensor' }]);
    expect(facts.outputs).toEqual([
      { name: 'output_label', elemType: 'int64', dims: [null], kind: 'tensor' },
      { name: 'output_probability', elemType: null, dims: null, kind: 'sequence' },
    ]);
    expect(facts.zipMaps).toEqual([
      {
        nodeName: 'output_probability',
        input: 'probabilities',
        output: 'output_probability',
        classLabels: [0, 1, 2],
      },
    ]);
    expect(facts.classifiers).toEqual([
      {
        opType: 'TreeEnsembleClassifier',
        classLabels: [0, 1, 2],
        labelOutput: 'label',
        scoreOutput: 'probabilities',
        postTransform: 'SOFTMAX',
      },
    ]);
    expect(facts.opsets).toEqual({ 'ai.onnx': 15, 'ai.onnx.ml': 1 });
    expect(facts.irVersion).toBe(8);
    expect(facts.producer).toBe('batchline-test-factory 1.0');
  });

  it('reports string labels, per-column inputs and a fixed batch', () => {
    const facts = readGraphFacts(
      linearClassifier({
        coefficients: [
          [1, -1],
          [-1, 1],
        ],
        intercepts: [0, 0],
        classLabels: ['no', 'yes'],
        input: { kind: 'columns', names: ['age', 'fare'] },
        batchSize: 3,
        onnxOpset: 11,
      }),
    );
    expect(facts.inputs.map((i) => [i.name, i.dims])).toEqual([
      ['age', [3, 1]],
      ['fare', [3, 1]],
    ]);
    expect(facts.outputs[0]).toEqual({ name: 'output_label', elemType: 'string', dims: [3], kind: 'tensor' });
    expect(facts.zipMaps[0]?.classLabels).toEqual(['no', 'yes']);
    expect(facts.classifiers[0]).toMatchObject({ opType: 'LinearClassifier', classLabels: ['no', 'yes'] });
    expect(facts.irVersion).toBe(7);
  });

  it('distinguishes undeclared outputs, undeclared shapes and symbolic dims', () => {
    const untyped = readGraphFacts(
      untypedOutputModel({
        coefficients: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        intercepts: [0, 0, 0],
        postTransform: 'SOFTMAX',
      }),
    );
    expect(untyped.outputs).toEqual([{ name: 'probabilities', elemType: null, dims: null, kind: 'unknown' }]);
    expect(untyped.zipMaps).toEqual([]);

    expect(
      readGraphFacts(identityModel({ elemType: 'float64', dims: 'undeclared' })).inputs[0]?.dims,
    ).toBeNull();
    const symbolic = readGraphFacts(identityModel({ elemType: 'int64', dims: ['batch', 3] }));
    expect(symbolic.inputs[0]).toEqual({
      name: 'input',
      elemType: 'int64',
      dims: ['batch', 3],
      kind: 'tensor',
    });
    expect(readGraphFacts(identityModel({ elemType: 'bool' })).outputs[0]?.elemType).toBe('bool');
  });

  it('reports the ai.onnx.ml opset 3 of a double regressor', () => {
    const facts = readGraphFacts(
      treeEnsembleRegressor({ features: 3, trees: { seed: 1, trees: 2, depth: 2 }, precision: 'float64' }),
    );
    expect(facts.opsets['ai.onnx.ml']).toBe(3);
    expect(facts.inputs[0]?.elemType).toBe('float64');
    expect(facts.classifiers).toEqual([]);
  });

  it('returns int64 ZipMap keys beyond 2^53 as bigint and the rest as numbers', () => {
    const bytes = editModel(
      treeEnsembleClassifier({ features: 4, trees: multiclassTrees, classLabels: [0, 1, 2] }),
      (g) => {
        const zipMap = g.node.find((n) => n.opType === 'ZipMap');
        const keys = zipMap?.attribute?.find((a) => a.name === 'classlabels_int64s');
        // protobufjs writes int64 fields given as decimal strings exactly; the typings only admit number | Long.
        if (keys) keys.ints = ['9007199254740993', '7', '-2'] as unknown as number[];
      },
    );
    expect(readGraphFacts(bytes).zipMaps[0]?.classLabels).toEqual([9007199254740993n, 7, -2]);
  });

  it('leaves out initializers that old IR versions list as graph inputs', () => {
    const bytes = editModel(identityModel({ elemType: 'float32' }), (g) => {
      g.initializer.push(
        onnx.TensorProto.create({ name: 'weights', dataType: 1, dims: [1], floatData: [2] }),
      );
      g.input.push(onnx.ValueInfoProto.create({ name: 'weights' }));
    });
    expect(readGraphFacts(bytes).inputs.map((i) => i.name)).toEqual(['input']);
  });

  describe('rejects bytes that are not an ONNX model', () => {
    const model = treeEnsembleClassifier({ features: 4, trees: multiclassTrees, classLabels: [0, 1, 2] });
    const rng = createRng(5);
    const cases: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array()],
      ['a CSV file', new TextEncoder().encode('id,age,fare\n1,22,7.25\n2,38,71.28\n')],
      ['a JSON document', new TextEncoder().encode('{"model": "x.onnx", "version": 3}')],
      ['random bytes', Uint8Array.from({ length: 4096 }, () => rng.int(256))],
      ['a truncated model', model.subarray(0, Math.floor(model.length / 2))],
      ['a model missing its last bytes', model.subarray(0, model.length - 3)],
    ];
    it.each(cases)('%s', (_name, bytes) => {
      expect(() => readGraphFacts(bytes)).toThrow(OnnxFormatError);
      expect(() => readGraphFacts(bytes)).toThrow(/^Not an ONNX model: /);
      expect(() => stripZipMap(bytes)).toThrow(OnnxFormatError);
    });

    it('many random byte strings', () => {
      for (let seed = 0; seed < 200; seed++) {
        const noise = createRng(seed);
        const bytes = Uint8Array.from({ length: 1 + noise.int(2000) }, () => noise.int(256));
        expect(() => readGraphFacts(bytes), `seed ${seed}`).toThrow(OnnxFormatError);
      }
    });
  });
});

describe('stripZipMap', () => {
  it('returns models without ZipMap unchanged', () => {
    const bytes = treeEnsembleClassifier({
      features: 4,
      trees: multiclassTrees,
      classLabels: [0, 1, 2],
      zipMap: false,
    });
    const result = stripZipMap(bytes);
    expect(result.replaced).toEqual([]);
    expect(result.bytes).toBe(bytes);
  });

  it('exposes the probability tensor in the ZipMap output position, in class order', async () => {
    const classLabels = ['zeta', 'alpha', 'mid'];
    const options = { features: 4, trees: multiclassTrees, classLabels };
    const stripped = stripZipMap(treeEnsembleClassifier({ ...options, zipMap: true }));
    expect(stripped.replaced).toEqual([
      { zipMapOutput: 'output_probability', tensorOutput: 'probabilities', classLabels },
    ]);
    expect(readGraphFacts(stripped.bytes).outputs).toEqual([
      { name: 'output_label', elemType: 'string', dims: [null], kind: 'tensor' },
      { name: 'probabilities', elemType: 'float32', dims: [null, 3], kind: 'tensor' },
    ]);
    expect(readGraphFacts(stripped.bytes).zipMaps).toEqual([]);

    const input = new ort.Tensor('float32', randomMatrix(64, 4, 2), [64, 4]);
    const session = await ort.InferenceSession.create(stripped.bytes);
    expect(session.outputNames).toEqual(['output_label', 'probabilities']);
    await session.release();
    const fromStripped = await runAll(stripped.bytes, { input });
    const fromPlain = await runAll(treeEnsembleClassifier({ ...options, zipMap: false }), { input });
    expect(fromStripped.probabilities?.dims).toEqual([64, 3]);
    expect(Array.from(fromStripped.probabilities?.data as Float32Array)).toEqual(
      Array.from(fromPlain.probabilities?.data as Float32Array),
    );
    expect(fromStripped.output_label?.data).toEqual(fromPlain.label?.data);
  });

  it('handles a ZipMap fed by a Normalizer in a fixed-batch model (ort logreg layout)', async () => {
    const stripped = stripZipMap(
      linearClassifier({
        coefficients: [
          [0.4, 1.4],
          [-2.1, -1],
          [0.3, -0.2],
        ],
        intercepts: [0.25, 0.58, -0.94],
        classLabels: [0, 1, 2],
        normalize: true,
        batchSize: 3,
        onnxOpset: 11,
      }),
    );
    expect(stripped.replaced).toEqual([
      { zipMapOutput: 'output_probability', tensorOutput: 'probabilities', classLabels: [0, 1, 2] },
    ]);
    const out = await runAll(stripped.bytes, {
      input: new ort.Tensor('float32', randomMatrix(3, 2, 9), [3, 2]),
    });
    const probabilities = out.probabilities?.data as Float32Array;
    for (let row = 0; row < 3; row++) {
      const sum = probabilities.slice(row * 3, row * 3 + 3).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('drops the ZipMap output when its input already is a graph output', () => {
    const bytes = editModel(
      treeEnsembleClassifier({ features: 4, trees: multiclassTrees, classLabels: [0, 1, 2] }),
      (g) => {
        g.output.push(onnx.ValueInfoProto.create({ name: 'probabilities' }));
      },
    );
    const stripped = stripZipMap(bytes);
    expect(readGraphFacts(stripped.bytes).outputs.map((o) => o.name)).toEqual([
      'output_label',
      'probabilities',
    ]);
    expect(stripped.replaced[0]?.tensorOutput).toBe('probabilities');
  });

  it('keeps a ZipMap whose result feeds another node', () => {
    const bytes = editModel(
      treeEnsembleClassifier({ features: 4, trees: multiclassTrees, classLabels: [0, 1, 2] }),
      (g) => {
        g.node.push(
          onnx.NodeProto.create({ opType: 'Identity', input: ['output_probability'], output: ['copy'] }),
        );
        g.output.push(onnx.ValueInfoProto.create({ name: 'copy' }));
      },
    );
    const stripped = stripZipMap(bytes);
    expect(stripped.replaced).toEqual([]);
    expect(stripped.bytes).toBe(bytes);
  });
});
