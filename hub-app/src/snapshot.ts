/**
 * A value loaded at most once per `maxAgeMs`, one load at a time: any number of readers at once
 * cost one load. A failed load keeps the last value (undefined before the first success).
 */
export function cachedSnapshot<T>(
  load: () => Promise<T>,
  maxAgeMs: number,
  onError: (error: unknown) => void,
): () => Promise<T | undefined> {
  let value: T | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<T | undefined> | undefined;
  return () => {
    if (performance.now() - loadedAt < maxAgeMs) return Promise.resolve(value);
    loading ??= load()
      .then(
        (loaded) => (value = loaded),
        (error: unknown) => {
          onError(error);
          return value;
        },
      )
      .finally(() => {
        loadedAt = performance.now();
        loading = undefined;
      });
    return loading;
  };
}
