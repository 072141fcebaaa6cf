/** Test helpers that wait on events, never on time. */

/** A promise opened from outside: tests hold Hub answers with it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Resolves when the count reaches `target` (call `hit()` on each event); rejects past the deadline. */
export function counter(target: number, deadlineMs = 10_000): { hit: () => void; reached: Promise<void> } {
  let count = 0;
  let reach = (): void => {};
  const reached = new Promise<void>((resolve, reject) => {
    reach = resolve;
    const timer = setTimeout(
      () => reject(new Error(`only ${count} of ${target} events within ${deadlineMs} ms`)),
      deadlineMs,
    );
    timer.unref();
  });
  return {
    hit: () => {
      count += 1;
      if (count >= target) reach();
    },
    reached,
  };
}
