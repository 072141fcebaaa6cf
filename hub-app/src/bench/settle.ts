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

/** Runs task over items with at most `limit` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
