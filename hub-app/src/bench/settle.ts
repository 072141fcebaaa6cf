/** Waiting on a set of promises, but only until a signal aborts or a deadline passes. */

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
