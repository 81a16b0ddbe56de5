import {
  ConflictError,
  DomainError,
  NotFoundError,
  NotSupportedError,
  ValidationError,
} from '../domain/errors.js';
import { JobNotFoundError, JobStateConflictError, JobStoreBusyError } from '../ports/job-store.js';
import { type ApiResponse, json } from './api-response.js';

/** An error raised by the HTTP layer itself (bad credentials, unknown route, malformed body). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Maps any error to a DataRobot-shaped JSON response: domain errors to 4xx with their message (and, for validation,
 * an `errors` object keyed by field), anything unexpected to a 500 that reveals nothing internal.
 */
export function errorResponse(error: unknown): { response: ApiResponse; unexpected: boolean } {
  const respond = (statusCode: number, body: Record<string, unknown>, headers?: Record<string, string>) => ({
    response: json(statusCode, body, headers),
    unexpected: false,
  });
  if (error instanceof HttpError) return respond(error.statusCode, { message: error.message }, error.headers);
  if (error instanceof ValidationError) {
    const errors = Object.fromEntries(error.problems.map((p) => [p.field || 'body', p.message]));
    return respond(422, { message: error.message, errors });
  }
  if (error instanceof NotFoundError || error instanceof JobNotFoundError)
    return respond(404, { message: error.message });
  if (error instanceof ConflictError || error instanceof JobStateConflictError) {
    return respond(409, { message: error.message });
  }
  if (error instanceof JobStoreBusyError)
    return respond(503, { message: error.message }, { 'Retry-After': '1' });
  if (error instanceof NotSupportedError)
    return respond(422, { message: error.message, errors: { [error.field]: error.message } });
  if (error instanceof DomainError) return respond(422, { message: error.message });
  return { response: json(500, { message: 'Internal server error' }), unexpected: true };
}
