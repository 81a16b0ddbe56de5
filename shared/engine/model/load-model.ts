import * as ort from 'onnxruntime-node';
import { ModelError, ValidationError } from '../../domain/errors.js';
import { toFieldProblems } from '../../domain/zod-problems.js';
import { type ModelManifest, ModelManifestSchema } from './manifest.js';
import { describeModel, type ModelDescription } from './model-description.js';
import { OnnxFormatError, readGraphFacts, stripZipMap } from './onnx-graph.js';

/** A model ready to score: its description and an onnxruntime session over the (ZipMap-free) graph. */
export interface LoadedModel {
  readonly description: ModelDescription;
  readonly session: ort.InferenceSession;
  /** Graph outputs the engine reads; fetching only these keeps onnxruntime from materialising the rest. */
  readonly fetches: readonly string[];
  dispose(): Promise<void>;
}

export interface LoadModelOptions {
  /** onnxruntime intra-op threads; default 1, since concurrency comes from scoring chunks in parallel. */
  readonly threads?: number;
}

/** Validates a manifest object (e.g. parsed JSON), naming failing fields as `manifest.<path>`. */
export function parseManifest(raw: unknown): ModelManifest {
  const parsed = ModelManifestSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      toFieldProblems(parsed.error).map((p) => ({
        ...p,
        field: p.field ? `manifest.${p.field}` : 'manifest',
      })),
    );
  }
  return parsed.data;
}

/**
 * Loads ONNX model bytes with their manifest: checks the bytes are an ONNX model, cuts ZipMap nodes (which
 * onnxruntime-node cannot return) keeping their class order, resolves the model description and opens a session.
 */
export async function loadModel(
  bytes: Uint8Array,
  manifest: unknown = {},
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const parsedManifest = parseManifest(manifest);
  let stripped: ReturnType<typeof stripZipMap>;
  let facts: ReturnType<typeof readGraphFacts>;
  try {
    readGraphFacts(bytes);
    stripped = stripZipMap(bytes);
    facts = readGraphFacts(stripped.bytes);
  } catch (error) {
    if (error instanceof OnnxFormatError)
      throw new ModelError(`not a valid ONNX model: ${error.message}`, { cause: error });
    throw error;
  }
  const zipMapLabels = new Map(
    stripped.replaced.map((r) => [r.tensorOutput, r.classLabels.map(String)] as const),
  );
  const description = describeModel(facts, parsedManifest, zipMapLabels);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(stripped.bytes, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new ModelError(`onnxruntime cannot load the model: ${(error as Error).message}`, { cause: error });
  }
  const fetches = [
    description.probabilityOutput,
    description.labelOutput,
    description.predictionOutput,
  ].filter((name): name is string => name !== null);
  return { description, session, fetches, dispose: () => session.release() };
}
