/**
 * One scoring thread of the parallel-engine benchmark: loads the model, scores the CSV once to warm up, then
 * scores it again each time the main thread says go.
 */
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { workerSettings } from '../local/entry-thread.js';
import { resolveDialect } from '../shared/engine/csv/dialect.js';
import { loadModel } from '../shared/engine/model/load-model.js';
import { scoreStream } from '../shared/engine/scoring/score-stream.js';
import { defaultScoringOptions } from '../shared/engine/scoring/scoring-options.js';
import { nullSink } from './engine.bench.js';

const MiB = 1 << 20;
const { model, featureNames, csv } = workerSettings() as {
  model: Uint8Array;
  featureNames: string[];
  csv: Uint8Array;
};
const bytes = Buffer.from(csv.buffer, csv.byteOffset, csv.byteLength);
const loaded = await loadModel(model, { inputs: { input: featureNames } }, { inference: 'in-thread' });

async function score(): Promise<void> {
  const pieces = Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += MiB) yield bytes.subarray(i, i + MiB);
    })(),
  );
  await scoreStream(loaded, pieces, nullSink(), {
    scoring: defaultScoringOptions(),
    dialect: resolveDialect(),
  });
}

await score();
const port = parentPort;
if (!port) throw new Error('parallel-engine-worker runs in a worker thread');
port.postMessage('ready');
port.on('message', () => {
  score().then(
    () => port.postMessage('done'),
    (error: unknown) => port.postMessage({ error: String(error) }),
  );
});
