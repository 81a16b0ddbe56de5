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

/**
 * Awaits a conditional write: its result, or null when its condition did not hold (another writer got there
 * first, or the item is not what the caller expected); any other failure is translated and thrown.
 */
export async function unlessConditionFails<T>(write: Promise<T>): Promise<T | null> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailed(error)) return null;
    throw translateDynamoError(error);
  }
}

/** Runs one request, turning capacity refusals into the domain error (see translateDynamoError). */
export async function translated<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw translateDynamoError(error);
  }
}
