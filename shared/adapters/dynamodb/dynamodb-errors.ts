/** Recognizing DynamoDB errors by name, which is stable across SDK versions and emulators. */
import { JobStoreBusyError } from '../../ports/job-store.js';

/** Capacity refusals the SDK already retried (with backoff) before giving up. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** A conditional write whose condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The domain error for a DynamoDB failure callers can act on; any other error unchanged. */
export function translateDynamoError(error: unknown): unknown {
  if (error instanceof Error && THROTTLING.has(error.name)) return new JobStoreBusyError({ cause: error });
  return error;
}
