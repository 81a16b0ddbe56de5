/**
 * Static facts about an ONNX graph (inputs, outputs, classifier and ZipMap nodes) and the ZipMap rewrite that
 * makes converter-default classifiers runnable in onnxruntime-node, which cannot return `seq(map)` outputs.
 * Pure: bytes in, facts or bytes out.
 */
import {
  type DimensionProto,
  decodeModel,
  encodeModel,
  floatMatrixValueInfo,
  type GraphProto,
  int64ToNumber,
  intsAttribute,
  ML_DOMAIN,
  type ModelProto,
  type NodeProto,
  narrowInt,
  stringAttribute,
  stringsAttribute,
  type ValueInfoProto,
} from './onnx-proto-io.js';

export { OnnxFormatError } from './onnx-proto-io.js';

export type OnnxElemType = 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool' | 'other';

export interface TensorInfo {
  name: string;
  /** null = undeclared (no type, or not a tensor). */
  elemType: OnnxElemType | null;
  /** null = undeclared shape; a string is a symbolic dim, null inside the array an unnamed unknown dim. */
  dims: Array<number | string | null> | null;
  kind: 'tensor' | 'sequence' | 'map' | 'unknown';
}

export interface ZipMapInfo {
  nodeName: string;
  input: string;
  output: string;
  /** Keys in column order of the input tensor; int64 keys are numbers when they are safe integers. */
  classLabels: Array<string> | Array<bigint | number>;
}

export interface ClassifierInfo {
  /** e.g. TreeEnsembleClassifier, LinearClassifier, SVMClassifier. */
  opType: string;
  classLabels: string[] | number[];
  labelOutput: string;
  scoreOutput: string;
  postTransform?: string;
}

export interface GraphFacts {
  /** Graph inputs the caller must feed (initializers listed as inputs by IR < 4 models are left out). */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  zipMaps: ZipMapInfo[];
  classifiers: ClassifierInfo[];
  /** Opset version by domain; the default domain is reported as `ai.onnx`. */
  opsets: Record<string, number>;
  irVersion: number;
  /** Producer name and version, e.g. `skl2onnx 1.11.2`. */
  producer: string;
}

export interface ZipMapReplacement {
  zipMapOutput: string;
  tensorOutput: string;
  classLabels: string[] | number[];
}

/** Decodes model bytes; throws OnnxFormatError with a clear message when the bytes are not an ONNX model. */
export function readGraphFacts(bytes: Uint8Array): GraphFacts {
  const { model, graph } = decodeModel(bytes);
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  return {
    inputs: graph.input.filter((i) => !initializerNames.has(i.name ?? '')).map(tensorInfo),
    outputs: graph.output.map(tensorInfo),
    zipMaps: graph.node.filter(isZipMap).map(zipMapInfo),
    classifiers: graph.node.filter(isClassifier).map(classifierInfo),
    opsets: opsetVersions(model),
    irVersion: int64ToNumber(model.irVersion),
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
  };
}

/**
 * If the graph's outputs include ZipMap results, returns new model bytes where each such ZipMap node is removed
 * and its input tensor becomes the graph output in its place (same position, named after the ZipMap input,
 * declared float32 [N, C]), plus which outputs were replaced and the class labels in column order. Models
 * without such a ZipMap are returned unchanged (same bytes, replaced = []). A ZipMap whose result feeds another
 * node is left alone. Int64 labels beyond 2^53 lose precision in `classLabels` (never seen in practice).
 */
export function stripZipMap(bytes: Uint8Array): { bytes: Uint8Array; replaced: ZipMapReplacement[] } {
  const { model, graph } = decodeModel(bytes);
  const strippable = graph.node.filter((n) => isZipMap(n) && feedsOnlyGraphOutput(graph, n));
  if (strippable.length === 0) return { bytes, replaced: [] };

  const replaced: ZipMapReplacement[] = [];
  for (const node of strippable) {
    const info = zipMapInfo(node);
    replaceOutput(graph, info);
    replaced.push({
      zipMapOutput: info.output,
      tensorOutput: info.input,
      classLabels: info.classLabels.every((l) => typeof l === 'string')
        ? (info.classLabels as string[])
        : info.classLabels.map((l) => Number(l)),
    });
  }
  graph.node = graph.node.filter((n) => !strippable.includes(n));
  return { bytes: encodeModel(model), replaced };
}

function replaceOutput(graph: GraphProto, zipMap: ZipMapInfo): void {
  const position = graph.output.findIndex((o) => o.name === zipMap.output);
  const alreadyOutput = graph.output.some((o) => o.name === zipMap.input);
  // A graph output may be listed once only; if the tensor is already one, the ZipMap output just goes away.
  if (alreadyOutput) graph.output.splice(position, 1);
  else graph.output[position] = floatMatrixValueInfo(zipMap.input, zipMap.classLabels.length);
  // A stale value_info for the tensor could contradict the declared output type.
  graph.valueInfo = graph.valueInfo.filter((v) => v.name !== zipMap.input);
}

function feedsOnlyGraphOutput(graph: GraphProto, zipMap: NodeProto): boolean {
  const output = zipMap.output?.[0];
  if (!output || !zipMap.input?.[0]) return false;
  const isGraphOutput = graph.output.some((o) => o.name === output);
  const consumed = graph.node.some((n) => n.input?.includes(output));
  return isGraphOutput && !consumed;
}

function isZipMap(node: NodeProto): boolean {
  return node.opType === 'ZipMap' && node.domain === ML_DOMAIN;
}

function isClassifier(node: NodeProto): boolean {
  return node.domain === ML_DOMAIN && (node.opType ?? '').endsWith('Classifier');
}

function zipMapInfo(node: NodeProto): ZipMapInfo {
  const strings = stringsAttribute(node, 'classlabels_strings');
  const ints = intsAttribute(node, 'classlabels_int64s');
  return {
    nodeName: node.name ?? '',
    input: node.input?.[0] ?? '',
    output: node.output?.[0] ?? '',
    classLabels: strings ?? (ints ?? []).map(narrowInt),
  };
}

function classifierInfo(node: NodeProto): ClassifierInfo {
  const strings = stringsAttribute(node, 'classlabels_strings');
  // TreeEnsemble/SVM classifiers name the int labels classlabels_int64s, LinearClassifier classlabels_ints.
  const ints = intsAttribute(node, 'classlabels_int64s') ?? intsAttribute(node, 'classlabels_ints');
  const postTransform = stringAttribute(node, 'post_transform');
  return {
    opType: node.opType ?? '',
    classLabels: strings ?? (ints ?? []).map((v) => Number(v)),
    labelOutput: node.output?.[0] ?? '',
    scoreOutput: node.output?.[1] ?? '',
    ...(postTransform === undefined ? {} : { postTransform }),
  };
}

function opsetVersions(model: ModelProto): Record<string, number> {
  const opsets: Record<string, number> = {};
  for (const opset of model.opsetImport) opsets[opset.domain || 'ai.onnx'] = int64ToNumber(opset.version);
  return opsets;
}

const ELEM_TYPES: Record<number, OnnxElemType> = {
  1: 'float32',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  11: 'float64',
};

function tensorInfo(value: ValueInfoProto): TensorInfo {
  const name = value.name ?? '';
  const type = value.type;
  if (type?.tensorType) {
    const { elemType, shape } = type.tensorType;
    return {
      name,
      elemType: elemType ? (ELEM_TYPES[elemType] ?? 'other') : null,
      dims: shape ? (shape.dim ?? []).map(dimension) : null,
      kind: 'tensor',
    };
  }
  const kind = type?.sequenceType ? 'sequence' : type?.mapType ? 'map' : 'unknown';
  return { name, elemType: null, dims: null, kind };
}

// dim_value and dim_param are a oneof: protobufjs leaves the unset one null.
function dimension(dim: DimensionProto): number | string | null {
  if (dim.dimValue !== null && dim.dimValue !== undefined) return int64ToNumber(dim.dimValue);
  return dim.dimParam || null;
}
