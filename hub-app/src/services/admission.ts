import { HubError } from "../errors.js";

export interface AdmissionOptions {
  /** What is admitted, for messages ("creates"). */
  readonly what: string;
  /** Works in flight at once. */
  readonly concurrency: number;
  /** Works waiting for a slot; past it a request is refused at once. */
  readonly queueLimit: number;
  /** The variable that sets queueLimit, named in the refusal. */
  readonly queueVariable: string;
}

interface Waiter {
  readonly start: () => void;
}

// Weight of the newest duration in the running average that Retry-After is estimated from.
const DURATION_WEIGHT = 0.2;

/**
 * A bounded queue in front of one kind of work (creates): at most `concurrency` run at once, at
 * most `queueLimit` wait, first come first served; the rest are refused with 429 and a
 * Retry-After estimated from how long the work takes. So a burst of any size costs the Hub a
 * bounded amount of memory, processes and API calls, and everything else it serves stays fast.
 */
export class AdmissionGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private averageMs = 0;

  constructor(private readonly options: AdmissionOptions) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `work` when a slot is free; rejects at once when the queue is full, or when `signal` aborts while waiting. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.options.concurrency) await this.waitForSlot(signal);
    else this.running += 1;
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.recordDuration(performance.now() - started);
      this.release();
    }
  }

  /** Seconds until a request refused now would likely find room. */
  retryAfterSeconds(): number {
    const perSlotMs = (this.averageMs * (this.waiting.length + 1)) / this.options.concurrency;
    return Math.min(60, Math.max(1, Math.ceil(perSlotMs / 1000)));
  }

  private waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    const { what, queueLimit, queueVariable, concurrency } = this.options;
    if (this.waiting.length >= queueLimit) {
      return Promise.reject(
        new HubError(
          "throttled",
          `the Hub is busy: ${concurrency} ${what} in progress and ${queueLimit} waiting (${queueVariable}); try again later`,
          this.retryAfterSeconds(),
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // The slot is handed over by release(): `running` does not change.
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new HubError("invalid_request", `the client went away while its ${what} waited`));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.running -= 1;
    else next.start();
  }

  private recordDuration(ms: number): void {
    this.averageMs = this.averageMs === 0 ? ms : this.averageMs + DURATION_WEIGHT * (ms - this.averageMs);
  }
}
