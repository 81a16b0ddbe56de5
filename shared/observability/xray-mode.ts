/**
 * Imported by observability.ts before Powertools' tracer: outside Lambda (the embedded stack, tests, the Fargate
 * worker) tracing is off, yet the X-Ray SDK's default "automatic" mode installs an async hook on load that tracks
 * every promise, about a tenth of the embedded stack's CPU under a burst of drops. Manual mode, which
 * Powertools never relies on where it does not trace, skips that hook.
 */
if (process.env.AWS_LAMBDA_FUNCTION_NAME === undefined) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
