import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readGraphFacts, stripZipMap, type TensorInfo } from '../../shared/engine/model/onnx-graph.js';

/**
 * The ZipMap rewrite and the graph facts against real converter output in ../shared/models (read where they
 * lie): every ZipMap model runs after stripping and returns exactly the recorded pre-ZipMap probabilities.
 */
const MODELS = resolve(import.meta.dirname, '../../../shared/models');

interface TensorRecord {
  type: 'float32' | 'float64' | 'int64' | 'string';
  dims: number[];
  data: Array<number | string>;
}
interface OutputMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: Array<number | string>;
}
interface Expected {
  model: string;
  inputs: Record<string, TensorRecord>;
  inputs_meta: OutputMeta[];
  outputs_meta: OutputMeta[];
  fixed_batch_size?: number;
  non_tensor_outputs?: Record<
    string,
    { zipmap_keys: Array<string | number>; pre_zipmap_tensor_name: string; pre_zipmap_tensor: TensorRecord }
  >;
}

function expectations(): Expected[] {
  if (!existsSync(MODELS))
    throw new Error(`the real-model suite needs ../shared/models (looked in ${MODELS})`);
  return readdirSync(join(MODELS, 'expected'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(MODELS, 'expected', f), 'utf8')) as Expected);
}

/** Rows [from, to) of a recorded tensor, padded to `size` rows by repeating the last one (fixed-batch models). */
function tensorRows(record: TensorRecord, from: number, to: number, size: number): ort.Tensor {
  const width = record.dims.slice(1).reduce((a, b) => a * b, 1);
  const rows = Array.from({ length: size }, (_, i) => Math.min(from + i, to - 1));
  const cells = rows.flatMap((r) => record.data.slice(r * width, (r + 1) * width));
  const dims = [size, ...record.dims.slice(1)];
  switch (record.type) {
    case 'string':
      return new ort.Tensor('string', cells.map(String), dims);
    case 'int64':
      return new ort.Tensor(
        'int64',
        BigInt64Array.from(cells, (v) => BigInt(v)),
        dims,
      );
    // JSON carries NaN as the string "NaN"; Number() restores it.
    case 'float64':
      return new ort.Tensor('float64', Float64Array.from(cells, Number), dims);
    default:
      return new ort.Tensor('float32', Float32Array.from(cells, Number), dims);
  }
}

/** Runs the model over all recorded rows (in fixed-size chunks when the batch dim is fixed) and returns one output. */
async function runOutput(bytes: Uint8Array, expected: Expected, output: string): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const first = Object.values(expected.inputs)[0];
  const total = first?.dims[0] ?? 0;
  const chunk = expected.fixed_batch_size ?? total;
  const values: number[] = [];
  try {
    for (let from = 0; from < total; from += chunk) {
      const to = Math.min(from + chunk, total);
      const feeds = Object.fromEntries(
        Object.entries(expected.inputs).map(([name, record]) => [name, tensorRows(record, from, to, chunk)]),
      );
      const result = (await session.run(feeds, [output]))[output];
      const width = (result?.dims ?? []).slice(1).reduce((a, b) => a * b, 1);
      values.push(...Array.from(result?.data as Float32Array).slice(0, (to - from) * width));
    }
  } finally {
    await session.release();
  }
  return values;
}

/** What onnxruntime's metadata would say about a declared tensor (unknown dims print as ''). */
function asOrtMeta(info: TensorInfo): OutputMeta {
  if (info.kind !== 'tensor') return { name: info.name, isTensor: false };
  return {
    name: info.name,
    isTensor: true,
    type: info.elemType ?? '',
    shape: (info.dims ?? []).map((d) => d ?? ''),
  };
}

describe('real converter models', () => {
  const all = expectations();
  const zipMapModels = all.filter((e) => e.non_tensor_outputs);

  it('the shared set has ZipMap models to check', () => {
    expect(zipMapModels.length).toBeGreaterThanOrEqual(5);
  });

  it.each(all.map((e) => [e.model, e] as const))(
    '%s: graph facts agree with onnxruntime metadata',
    (_m, expected) => {
      const facts = readGraphFacts(readFileSync(join(MODELS, expected.model)));
      expect(facts.inputs.map(asOrtMeta)).toEqual(expected.inputs_meta);
      const declared = facts.outputs.map((o, i) =>
        // ORT reports an undeclared output as float32 with shape []; the graph itself says nothing.
        o.kind === 'unknown' ? expected.outputs_meta[i] : asOrtMeta(o),
      );
      expect(declared).toEqual(expected.outputs_meta);
      const zipMapOutputs = Object.keys(expected.non_tensor_outputs ?? {});
      expect(facts.zipMaps.map((z) => z.output)).toEqual(zipMapOutputs);
    },
  );

  it.each(zipMapModels.map((e) => [e.model, e] as const))(
    '%s: after stripZipMap the probability tensor equals the recorded pre-ZipMap tensor',
    async (_m, expected) => {
      const [zipMapOutput, record] = Object.entries(expected.non_tensor_outputs ?? {})[0]!;
      const stripped = stripZipMap(readFileSync(join(MODELS, expected.model)));
      expect(stripped.replaced).toEqual([
        { zipMapOutput, tensorOutput: record.pre_zipmap_tensor_name, classLabels: record.zipmap_keys },
      ]);
      const facts = readGraphFacts(stripped.bytes);
      const position = expected.outputs_meta.findIndex((o) => o.name === zipMapOutput);
      expect(facts.outputs[position]).toMatchObject({
        name: record.pre_zipmap_tensor_name,
        kind: 'tensor',
        elemType: 'float32',
        dims: [null, record.zipmap_keys.length],
      });
      const probabilities = await runOutput(stripped.bytes, expected, record.pre_zipmap_tensor_name);
      expect(probabilities).toEqual(record.pre_zipmap_tensor.data);
    },
  );
});
