import { ModelError } from '../../domain/errors.js';
import type { ModelManifest } from './manifest.js';
import type { GraphFacts, OnnxElemType, TensorInfo } from './onnx-graph.js';

export type TargetType = 'Binary' | 'Multiclass' | 'Regression';
/** Element types a CSV column can feed. */
export type FeedType = 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool';

/** One model input's values for a batch of rows, row-major. */
export type FeedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | string[];

/** A zeroed feed of `length` values of `type`, in the array type onnxruntime takes for it. */
export function allocateFeedArray(type: FeedType, length: number): FeedArray {
  switch (type) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'bool':
      return new Uint8Array(length);
    case 'string':
      return new Array<string>(length).fill('');
  }
}

/** How one ONNX input is filled from CSV columns. */
export interface InputBinding {
  readonly name: string;
  readonly elemType: FeedType;
  /** CSV columns in tensor column order; one column for [N], [N,1] inputs. */
  readonly columns: readonly string[];
  /** Tensor dims for a batch of n rows. */
  readonly dimsFor: (rows: number) => number[];
}

/** Everything the engine needs to know about a model, resolved from its graph and its manifest. */
export interface ModelDescription {
  readonly targetName: string;
  readonly targetType: TargetType;
  /** Class labels in probability-column order (empty for regression). */
  readonly classLabels: readonly string[];
  /** Binary only: the class whose probability is compared with the threshold. */
  readonly positiveClass: string | null;
  readonly predictionThreshold: number;
  readonly inputs: readonly InputBinding[];
  /** Graph output holding class probabilities ([N,C], or [N,1]/[N] holding the positive class). */
  readonly probabilityOutput: string | null;
  /** Graph output holding predicted labels, read only when there are no probabilities. */
  readonly labelOutput: string | null;
  /** Regression: graph output holding the prediction. */
  readonly predictionOutput: string | null;
  /** A batch dimension fixed in the graph (e.g. 3): batches are padded to a multiple of it. */
  readonly fixedBatch: number | null;
}

const FEEDABLE: ReadonlySet<OnnxElemType> = new Set([
  'float32',
  'float64',
  'int64',
  'int32',
  'string',
  'bool',
]);

/**
 * Resolves a model description from the facts of its (ZipMap-free) graph and the user's manifest.
 * `zipMapLabels` are the class labels of a ZipMap the loader cut, keyed by the tensor output that replaced it.
 * Throws ModelError naming both sides when the manifest contradicts the graph, and when something the graph
 * cannot tell is missing from the manifest.
 */
export function describeModel(
  facts: GraphFacts,
  manifest: ModelManifest,
  zipMapLabels: ReadonlyMap<string, readonly string[]> = new Map(),
): ModelDescription {
  const tensorOutputs = facts.outputs.filter((o) => o.kind === 'tensor' || o.kind === 'unknown');
  const nonTensor = facts.outputs.filter((o) => o.kind === 'sequence' || o.kind === 'map');
  if (tensorOutputs.length === 0) {
    throw new ModelError(
      `the model has no tensor outputs (outputs: ${describeTensors(nonTensor)}); Batchline reads predictions from tensor outputs`,
    );
  }
  const inputs = facts.inputs.map((input) => bindInput(input, manifest.inputs?.[input.name]));
  checkManifestInputsExist(facts, manifest);
  const fixedBatch = commonFixedBatch(facts.inputs);

  const pick = (wanted: string | undefined, role: string): TensorInfo | undefined => {
    if (wanted === undefined) return undefined;
    const found = tensorOutputs.find((o) => o.name === wanted);
    if (!found) {
      throw new ModelError(
        `manifest outputs.${role} names "${wanted}", but the graph's tensor outputs are ${describeTensors(tensorOutputs)}`,
      );
    }
    return found;
  };
  const classifier = facts.classifiers[0];
  const probability =
    pick(manifest.outputs?.probabilities, 'probabilities') ??
    tensorOutputs.find((o) => zipMapLabels.has(o.name)) ??
    tensorOutputs.find((o) => o.name === classifier?.scoreOutput) ??
    tensorOutputs.find((o) => /prob/i.test(o.name) && isFloat(o));
  const label =
    pick(manifest.outputs?.label, 'label') ??
    tensorOutputs.find((o) => o.name === classifier?.labelOutput) ??
    tensorOutputs.find((o) => /label/i.test(o.name) && (o.elemType === 'int64' || o.elemType === 'string'));
  const graphLabels =
    (probability && zipMapLabels.get(probability.name)) ?? classifier?.classLabels.map(String) ?? undefined;

  const targetType = resolveTargetType(manifest, graphLabels, probability, label);
  const targetName = manifest.targetName ?? 'target';
  const predictionThreshold = manifest.predictionThreshold ?? 0.5;
  if (targetType === 'Regression') {
    const prediction =
      pick(manifest.outputs?.prediction, 'prediction') ??
      (tensorOutputs.length === 1 ? tensorOutputs[0] : tensorOutputs.find((o) => isFloat(o)));
    if (!prediction) {
      throw new ModelError(
        `cannot tell which output holds the regression prediction among ${describeTensors(tensorOutputs)}; set manifest outputs.prediction`,
      );
    }
    if (manifest.classLabels || manifest.positiveClass !== undefined) {
      throw new ModelError('manifest gives classLabels/positiveClass but targetType is Regression');
    }
    return {
      targetName,
      targetType,
      classLabels: [],
      positiveClass: null,
      predictionThreshold,
      inputs,
      probabilityOutput: null,
      labelOutput: null,
      predictionOutput: prediction.name,
      fixedBatch,
    };
  }

  const classLabels = resolveClassLabels(manifest, graphLabels);
  if (targetType === 'Binary' && classLabels.length !== 2) {
    throw new ModelError(
      `targetType is Binary but the model has ${classLabels.length} classes (${classLabels.join(', ')})`,
    );
  }
  if (targetType === 'Multiclass' && classLabels.length < 3) {
    throw new ModelError(
      `targetType is Multiclass but the model has ${classLabels.length} classes (${classLabels.join(', ')})`,
    );
  }
  if (!probability && !label) {
    throw new ModelError(
      `cannot tell which output holds class probabilities among ${describeTensors(tensorOutputs)}; set manifest outputs.probabilities`,
    );
  }
  checkProbabilityWidth(probability, classLabels);
  let positiveClass: string | null = null;
  if (targetType === 'Binary') {
    positiveClass =
      manifest.positiveClass === undefined ? (classLabels[1] as string) : String(manifest.positiveClass);
    if (!classLabels.includes(positiveClass)) {
      throw new ModelError(
        `manifest positiveClass "${positiveClass}" is not one of the class labels (${classLabels.join(', ')})`,
      );
    }
  }
  return {
    targetName,
    targetType,
    classLabels,
    positiveClass,
    predictionThreshold,
    inputs,
    probabilityOutput: probability?.name ?? null,
    labelOutput: probability ? null : (label?.name ?? null),
    predictionOutput: null,
    fixedBatch,
  };
}

function resolveTargetType(
  manifest: ModelManifest,
  graphLabels: readonly string[] | undefined,
  probability: TensorInfo | undefined,
  label: TensorInfo | undefined,
): TargetType {
  const labelCount = graphLabels?.length ?? manifest.classLabels?.length;
  const graphSays: TargetType | undefined =
    labelCount !== undefined ? (labelCount === 2 ? 'Binary' : 'Multiclass') : undefined;
  if (manifest.targetType) {
    if (graphLabels && manifest.targetType === 'Regression') {
      throw new ModelError(
        `manifest targetType is Regression, but the graph is a classifier with classes ${graphLabels.join(', ')}`,
      );
    }
    if (graphSays && manifest.targetType !== 'Regression' && graphSays !== manifest.targetType) {
      throw new ModelError(
        `manifest targetType is ${manifest.targetType}, but the model has ${labelCount} classes`,
      );
    }
    return manifest.targetType;
  }
  if (graphSays) return graphSays;
  if (probability || label) {
    throw new ModelError(
      'the graph looks like a classifier but does not name its classes; give manifest classLabels (in probability-column order)',
    );
  }
  return 'Regression';
}

function resolveClassLabels(manifest: ModelManifest, graphLabels: readonly string[] | undefined): string[] {
  const fromManifest = manifest.classLabels?.map(String);
  if (fromManifest && graphLabels) {
    const same =
      fromManifest.length === graphLabels.length && fromManifest.every((l, i) => l === graphLabels[i]);
    if (!same) {
      throw new ModelError(
        `manifest classLabels [${fromManifest.join(', ')}] contradict the graph's class labels [${graphLabels.join(', ')}]`,
      );
    }
  }
  const labels = fromManifest ?? (graphLabels ? [...graphLabels] : undefined);
  if (!labels) {
    throw new ModelError(
      'the model does not name its classes; give manifest classLabels (in probability-column order)',
    );
  }
  if (new Set(labels).size !== labels.length) {
    throw new ModelError(`class labels must be distinct, got [${labels.join(', ')}]`);
  }
  return labels;
}

function checkProbabilityWidth(probability: TensorInfo | undefined, classLabels: readonly string[]): void {
  const width = probability?.dims?.[1];
  if (
    typeof width === 'number' &&
    width !== classLabels.length &&
    !(width === 1 && classLabels.length === 2)
  ) {
    throw new ModelError(
      `output "${probability?.name}" has ${width} probability columns but the model has ${classLabels.length} classes (${classLabels.join(', ')})`,
    );
  }
}

function bindInput(input: TensorInfo, mapping: string | readonly string[] | undefined): InputBinding {
  if (input.kind !== 'tensor' || input.elemType === null || !FEEDABLE.has(input.elemType)) {
    throw new ModelError(
      `input "${input.name}" has type ${describeTensor(input)}, which cannot be fed from CSV columns (supported: ${[...FEEDABLE].join(', ')} tensors)`,
    );
  }
  const elemType = input.elemType as FeedType;
  const dims = input.dims ?? [null, null];
  if (dims.length > 2 || dims.length === 0) {
    throw new ModelError(
      `input "${input.name}" has rank ${dims.length}; only [N] and [N, F] inputs can be fed from CSV rows`,
    );
  }
  const declaredWidth = dims.length === 2 ? dims[1] : 1;
  const columns =
    mapping === undefined ? [input.name] : typeof mapping === 'string' ? [mapping] : [...mapping];
  if (typeof declaredWidth === 'number' && declaredWidth !== columns.length) {
    throw new ModelError(
      mapping === undefined
        ? `input "${input.name}" takes ${declaredWidth} columns per row; list them in manifest inputs.${input.name}`
        : `manifest inputs.${input.name} lists ${columns.length} columns but the graph's input "${input.name}" takes ${declaredWidth}`,
    );
  }
  if (dims.length === 1 && columns.length !== 1) {
    throw new ModelError(
      `input "${input.name}" is one-dimensional; manifest inputs.${input.name} must name one column`,
    );
  }
  const width = columns.length;
  const rank2 = dims.length === 2;
  return { name: input.name, elemType, columns, dimsFor: (rows) => (rank2 ? [rows, width] : [rows]) };
}

function checkManifestInputsExist(facts: GraphFacts, manifest: ModelManifest): void {
  for (const name of Object.keys(manifest.inputs ?? {})) {
    if (!facts.inputs.some((i) => i.name === name)) {
      throw new ModelError(
        `manifest inputs names "${name}", but the graph's inputs are ${facts.inputs.map((i) => `"${i.name}"`).join(', ')}`,
      );
    }
  }
}

function commonFixedBatch(inputs: readonly TensorInfo[]): number | null {
  const fixed = new Set(
    inputs.map((i) => i.dims?.[0]).filter((d): d is number => typeof d === 'number' && d > 0),
  );
  if (fixed.size > 1)
    throw new ModelError(`inputs disagree on a fixed batch size: ${[...fixed].join(' vs ')}`);
  return fixed.size === 1 ? ([...fixed][0] as number) : null;
}

function isFloat(t: TensorInfo): boolean {
  return t.elemType === 'float32' || t.elemType === 'float64' || t.elemType === null;
}

function describeTensor(t: TensorInfo): string {
  const dims = t.dims ? `[${t.dims.map((d) => d ?? '?').join(',')}]` : '';
  return t.kind === 'tensor' ? `${t.elemType ?? 'undeclared'}${dims}` : t.kind;
}

function describeTensors(ts: readonly TensorInfo[]): string {
  return ts.map((t) => `"${t.name}" (${describeTensor(t)})`).join(', ');
}
