/**
 * Retry bookkeeping for one state visit: which Retrier applies to an error, and how long to wait before the next
 * attempt (IntervalSeconds x BackoffRate^attempt, capped by MaxDelaySeconds; no jitter).
 */
import type { Retrier } from './definition.js';
import { errorMatches, type StatesError } from './errors.js';

const DEFAULT_INTERVAL_SECONDS = 1;
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_BACKOFF_RATE = 2;

export class RetryPolicy {
  /** Attempts already retried, per Retrier, since the state was entered. */
  private readonly attempts: number[];

  constructor(
    private readonly retriers: readonly Retrier[],
    private readonly stateType: string,
  ) {
    this.attempts = retriers.map(() => 0);
  }

  /**
   * The delay in ms before retrying after `error`, counting the attempt; undefined when no Retrier matches or the
   * first matching one has no attempts left (then Catch applies).
   */
  nextDelayMs(error: StatesError): number | undefined {
    const index = this.retriers.findIndex((retrier) =>
      errorMatches(retrier.ErrorEquals, error, this.stateType),
    );
    const retrier = this.retriers[index];
    if (retrier === undefined) return undefined;
    const attempt = this.attempts[index] ?? 0;
    if (attempt >= (retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS)) return undefined;
    this.attempts[index] = attempt + 1;
    const seconds =
      (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) *
      (retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE) ** attempt;
    return Math.round(Math.min(seconds, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000);
  }

  /** Retries made so far, for `$$.State.RetryCount`. */
  get retryCount(): number {
    return this.attempts.reduce((sum, count) => sum + count, 0);
  }
}
