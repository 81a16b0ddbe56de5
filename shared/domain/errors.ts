/**
 * Domain errors. Each kind carries what a caller needs to tell the user what went wrong; the HTTP edge maps
 * kinds to status codes in one place, and job runners turn them into an ABORTED job's statusDetails.
 */

/** Base class: every error the domain raises on purpose, whose message is safe to show a user. */
export class DomainError extends Error {
  override name = 'DomainError';
}

/** One field that failed validation, named by its dotted path in the request (e.g. `intakeSettings.url`). */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Input that does not fit its schema; lists every failing field. */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(
    readonly problems: readonly FieldProblem[],
    message = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; '),
  ) {
    super(message);
  }
}

/** A valid request for something Batchline does not do yet (e.g. an intake type without an adapter). */
export class NotSupportedError extends DomainError {
  override name = 'NotSupportedError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The model (ONNX file or manifest) cannot be loaded or contradicts itself. */
export class ModelError extends DomainError {
  override name = 'ModelError';
}

/** The data cannot be scored as a whole (missing columns, malformed file, a failed row with abortOnError). */
export class ScoringError extends DomainError {
  override name = 'ScoringError';
}

/** No such record, or one that belongs to another owner (which callers must not be able to tell apart). */
export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(
    readonly kind: string,
    readonly id: string,
    message = `${kind} ${id} not found`,
  ) {
    super(message);
  }
}

/** The request is valid but clashes with the current state (e.g. deleting a model package still in use). */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
}

/**
 * An external data source or destination (bucket, database, dataset) refused or failed the job's read or write
 * in a way the user must fix: access denied, missing object, unreachable endpoint, wrong password. The message
 * says what to change and never contains a secret.
 */
export class DataSourceError extends DomainError {
  override name = 'DataSourceError';
}
