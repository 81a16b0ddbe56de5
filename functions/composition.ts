import { logger } from '../shared/observability/observability.js';
import type { Deps } from '../shared/use-cases/deps.js';

let provided: Promise<Deps> | null = null;

/**
 * Supplies the ports every handler uses. The composition root decides once per process: the embedded stack
 * provides its own (emulators, local workflow); in Lambda, the AWS adapters are built from the environment.
 */
export function provideDeps(deps: Deps | Promise<Deps>): void {
  provided = Promise.resolve(deps);
}

/** The ports for this process, building the AWS ones from the environment on first use. */
export function getDeps(): Promise<Deps> {
  provided ??= import('./aws-deps.js').then((m) => m.awsDepsFromEnv());
  return provided;
}

/** Logs an error the API could not map to a user-facing answer. */
export function logUnexpected(error: unknown, event: { httpMethod?: string; path?: string }): void {
  logger.error('unexpected error', { error: error as Error, method: event.httpMethod, path: event.path });
}
