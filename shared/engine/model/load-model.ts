import { ModelError } from '../../domain/errors.js';
import { type InferenceRunner, inThreadRunner, workerRunner } from './inference.js';
import { type ModelManifest, parseManifest } from './manifest.js';
import { describeModel, type ModelDescription } from './model-description.js';
import { OnnxFormatError, readGraphFacts, stripZipMap } from './onnx-graph.js';

/** A model ready to score: its description and an onnxruntime runner over the (ZipMap-free) graph. */
export interface LoadedModel {
  readonly description: ModelDescription;
  readonly runner: InferenceRunner;
  /** Graph outputs the engine reads; fetching only these keeps onnxruntime from materialising the rest. */
  readonly fetches: readonly string[];
  /** The (ZipMap-free) graph bytes and the validated manifest: explanations read trees and background from them. */
  readonly source?: { readonly bytes: Uint8Array; readonly manifest: ModelManifest };
  dispose(): Promise<void>;
}

export interface LoadModelOptions {
  /** onnxruntime intra-op threads; default 1, since concurrency comes from scoring chunks in parallel. */
  readonly threads?: number;
  /**
   * 'worker' (default) runs onnxruntime in a worker thread so CSV work overlaps inference; 'in-thread' keeps
   * everything on the calling thread (one core, no thread start-up).
   */
  readonly inference?: 'worker' | 'in-thread';
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
  let runner: InferenceRunner;
  try {
    const settings = { threads: options.threads ?? 1 };
    runner = await (options.inference === 'in-thread' ? inThreadRunner : workerRunner)(
      stripped.bytes,
      settings,
    );
  } catch (error) {
    throw new ModelError(`onnxruntime cannot load the model: ${(error as Error).message}`, { cause: error });
  }
  const fetches = [
    description.probabilityOutput,
    description.labelOutput,
    description.predictionOutput,
  ].filter((name): name is string => name !== null);
  return {
    description,
    runner,
    fetches,
    source: { bytes: stripped.bytes, manifest: parsedManifest },
    dispose: () => runner.dispose(),
  };
}
