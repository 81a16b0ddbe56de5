/**
 * Which handler module serves which part of the API, by the first path segment below `/api/v2`. API Gateway is
 * built from this table (one Lambda per module, `/<prefix>/{proxy+}`) and the embedded stack routes the same way,
 * so both send a request to the same handler.
 */
export const API_MODULES = [
  { handler: 'version', prefixes: ['version'] },
  { handler: 'batch-predictions', prefixes: ['batchPredictions'] },
  { handler: 'job-definitions', prefixes: ['batchPredictionJobDefinitions'] },
  { handler: 'deployments', prefixes: ['deployments', 'status'] },
  { handler: 'model-packages', prefixes: ['modelPackages'] },
  { handler: 'api-keys', prefixes: ['apiKeys'] },
  { handler: 'credentials', prefixes: ['credentials'] },
  { handler: 'projects', prefixes: ['projects'] },
  {
    handler: 'external-data',
    prefixes: ['externalDataDrivers', 'externalDataStores', 'externalDataSources'],
  },
  { handler: 'datasets', prefixes: ['datasets'] },
  { handler: 'openapi', prefixes: ['openapi.json'] },
] as const;

export type HandlerModule = (typeof API_MODULES)[number]['handler'];

/** The handler module for a path below the API prefix (e.g. `/batchPredictions/abc/`), or null. */
export function moduleForPath(path: string): HandlerModule | null {
  const first = path.split('/').filter((s) => s.length > 0)[0];
  const entry = API_MODULES.find((m) => (m.prefixes as readonly string[]).includes(first ?? ''));
  return entry?.handler ?? null;
}
