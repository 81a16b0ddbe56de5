/**
 * A chunk worker thread of the embedded stack: scores Map items with step-score-chunk's core, as the Lambda scorer
 * does, over its own SDK clients to the stack's emulators. The thread is the unit of parallelism, so onnxruntime
 * runs in it rather than in a further thread; loaded models stay for the thread's next chunks.
 */
import { run } from '../functions/step-score-chunk.js';
import { ModelCache } from '../shared/use-cases/jobs/model-cache.js';
import { forwardingWorkflow, serveChunkRequests } from './chunk-worker-protocol.js';
import { workerSettings } from './entry-thread.js';
import { connectLocalDeps, type LocalServices } from './local-deps.js';

const { deps } = connectLocalDeps(workerSettings() as LocalServices, forwardingWorkflow);
const models = new ModelCache(2, { inference: 'in-thread' });

serveChunkRequests((event) => run(deps, event, models));
