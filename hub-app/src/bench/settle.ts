/** Waiting on a set of promises, but only until a signal aborts or a deadline passes. */
import { HubApiError } from "./client.js";
import type { Clock } from "./scheduler.js";

/** Resolves true when every promise has settled, false when a signal aborted or timeoutMs passed first. */
export function settledOr(
  promises: Iterable<Promise<unknown>>,
  signals: readonly (AbortSignal | undefined)[],
  timeoutMs?: number,
): Promise<boolean> {
  const active = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (active.some((signal) => signal.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(false), timeoutMs);
    const onAbort = (): void => finish(false);
    function finish(allSettled: boolean): void {
      clearTimeout(timer);
      for (const signal of active) signal.removeEventListener("abort", onAbort);
      resolve(allSettled);
    }
    for (const signal of active) signal.addEventListener("abort", onAbort, { once: true });
    void Promise.allSettled(promises).then(() => finish(true));
  });
}

/** Waits ms on the clock; rejects with an "aborted" HubApiError when the signal aborts first. */
export function delay(clock: Clock, ms: number, signal: AbortSignal, waitingFor: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(new HubApiError("aborted", `stopped while waiting for ${waitingFor}`));
    };
    const cancel = clock.setTimer(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
