/**
 * Retry with exponential backoff and "full jitter": each wait is uniform in [0, min(cap, base * 2^attempt)].
 * Full jitter spreads retries of many callers hit by the same throttle apart, which a fixed
 * backoff does not (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 */

export interface RetryPolicy {
  /** Total tries, the first included. */
  readonly attempts: number;
  /** Upper bound of the first wait, ms. */
  readonly baseDelayMs: number;
  /** No wait is longer than this, ms. */
  readonly maxDelayMs: number;
}

/** Test seams: waiting and randomness. */
export interface RetryClock {
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), like Math.random. */
  readonly random: () => number;
}

export const realClock: RetryClock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The wait before retry number `retry` (0 = the wait after the first failure). */
export function fullJitterDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Thrown when every attempt failed with a retryable error; `lastError` is the final failure. */
export class RetriesExhaustedError extends Error {
  constructor(
    public readonly lastError: unknown,
    public readonly attempts: number,
  ) {
    super(`gave up after ${attempts} attempts`, { cause: lastError });
    this.name = "RetriesExhaustedError";
  }
}

/**
 * Runs `operation` until it succeeds, a non-retryable error is thrown (rethrown as is), or
 * `policy.attempts` retryable failures happened (RetriesExhaustedError).
 */
export async function retryWithBackoff<T>(
  operation: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy,
  clock: RetryClock = realClock,
): Promise<T> {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new Error(`retry attempts must be a positive integer, got ${policy.attempts}`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt + 1 >= policy.attempts) throw new RetriesExhaustedError(error, policy.attempts);
      await clock.sleep(fullJitterDelay(policy, attempt, clock.random));
    }
  }
}
