import type { Deps } from '../shared/use-cases/deps.js';
import { enforceRuntimeLimit } from '../shared/use-cases/jobs/enforce-runtime-limit.js';

/**
 * Runs the runtime-limit sweep (which also frees slots of ended jobs and starts queued jobs) every `everyMs`,
 * one sweep at a time. Returns a function that stops the timer and waits for a sweep in progress, so the stack
 * can shut its stores down after it.
 */
export function startRuntimeLimitSweeper(
  deps: Deps,
  onError: (error: unknown) => void,
  everyMs = 60_000,
): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = enforceRuntimeLimit(deps)
      .then(() => {}, onError)
      .finally(() => {
        inFlight = null;
      });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}
