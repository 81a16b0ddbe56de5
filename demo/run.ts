/** `npm run demo`: the end-to-end demo on a temporary local stack (BATCHLINE_PORT picks the port). */
import { runDemo } from './demo.js';

runDemo({ port: Number(process.env.BATCHLINE_PORT ?? 0) }).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
