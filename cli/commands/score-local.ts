import {
  createReadStream,
  createWriteStream,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { parseJobSpec } from '../../shared/domain/job-spec.js';
import { resolveDialect } from '../../shared/engine/csv/dialect.js';
import { loadModel } from '../../shared/engine/model/load-model.js';
import { scoringOptionsOf } from '../../shared/engine/scoring/job-scoring-options.js';
import { type ScoreSummary, scoreStream } from '../../shared/engine/scoring/score-stream.js';
import { type JobSpecFlagValues, jobSpecFromFlags } from '../job-spec-flags.js';
import { progressBar } from '../progress.js';

export interface ScoreLocalArgs extends JobSpecFlagValues {
  model: string;
  manifest?: string;
  in: string;
  out: string;
  threads?: string;
  'batch-rows'?: string;
}

/** The manifest path used when none is given: `m.json` beside `m.onnx`. */
export function defaultManifestPath(modelPath: string): string {
  return `${modelPath.replace(/\.onnx$/i, '')}.json`;
}

/** Scores a local CSV file with a local ONNX model, exactly as a job with the same spec would. */
export async function scoreLocal(args: ScoreLocalArgs): Promise<ScoreSummary> {
  const manifestPath = args.manifest ?? defaultManifestPath(args.model);
  const manifest =
    args.manifest || existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
  const spec = parseJobSpec(jobSpecFromFlags(args, 'local'));
  const scoring = scoringOptionsOf(spec, args['batch-rows'] ? Number(args['batch-rows']) : undefined);
  const dialect = resolveDialect(spec.csvSettings);
  const model = await loadModel(readFileSync(args.model), manifest, {
    threads: args.threads ? Number(args.threads) : 1,
  });
  const bar = progressBar(statSync(args.in).size);
  // Written beside the target and renamed at the end, so a failed run never leaves a truncated file behind.
  const partial = `${args.out}.partial`;
  try {
    const input = createReadStream(args.in, { highWaterMark: 1 << 20 });
    const summary = await scoreStream(model, input, createWriteStream(partial), {
      scoring,
      dialect,
      onProgress: (p) => bar.update(p.bytesIn, p.rows),
    });
    renameSync(partial, args.out);
    return summary;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    bar.stop();
    await model.dispose();
  }
}
