/**
 * The open-loop scheduler: create i is due at t0 + i * interval whatever happened to the earlier ones,
 * so a slow stack shows up as latency, not as a lower request rate. Each timer is set for the next due
 * time computed from t0 (not from the last firing), so timer drift does not accumulate; if the process
 * falls behind, every overdue create is fired at once.
 */

export interface Clock {
  /** Monotonic ms. */
  now(): number;
  /** Calls fn after ms; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

export interface Firing {
  readonly index: number;
  /** ms since t0 when this create was due. */
  readonly scheduledMs: number;
  /** ms since t0 when it was actually fired. */
  readonly firedMs: number;
}

export interface OpenLoopOptions {
  readonly count: number;
  readonly intervalMs: number;
  readonly clock?: Clock;
  /** The start, in the clock's time; default now. */
  readonly t0?: number;
  /** Stops scheduling; creates already fired are not touched. */
  readonly signal?: AbortSignal;
  /** Starts one create; must not block (it is not awaited). */
  readonly onFire: (firing: Firing) => void;
}

export interface OpenLoopResult {
  /** The clock's time at t0, so callers can convert their own times to "ms since t0". */
  readonly t0: number;
  readonly fired: number;
}

/** Resolves once every create has been fired, or at once when the signal aborts. */
export function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { count, intervalMs, signal, onFire } = options;
  const clock = options.clock ?? realClock;
  const t0 = options.t0 ?? clock.now();
  let next = 0;
  return new Promise((resolve) => {
    let cancelTimer = (): void => {};
    const finish = (): void => {
      cancelTimer();
      signal?.removeEventListener("abort", finish);
      resolve({ t0, fired: next });
    };
    const tick = (): void => {
      while (next < count && !signal?.aborted && t0 + next * intervalMs <= clock.now()) {
        onFire({ index: next, scheduledMs: next * intervalMs, firedMs: clock.now() - t0 });
        next += 1;
      }
      if (next >= count || signal?.aborted) finish();
      else cancelTimer = clock.setTimer(tick, t0 + next * intervalMs - clock.now());
    };
    if (signal?.aborted) return finish();
    signal?.addEventListener("abort", finish, { once: true });
    tick();
  });
}
