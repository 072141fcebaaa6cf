/**
 * When the pools reconcile: once at start, then every interval, and as soon as possible after a
 * claim (coalesced: many claims in a burst cause one extra pass, never two passes at once).
 */
import type { Logger } from "pino";

export class PoolSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Pick<Logger, "warn">,
  ) {}

  /** One pass now; with `repeat`, one every interval after it. */
  start(repeat: boolean): void {
    void this.runNow();
    if (!repeat) return;
    this.timer = setInterval(() => this.poke(), this.intervalMs);
    this.timer.unref();
  }

  /** A pass as soon as the current one (if any) ends. */
  poke(): void {
    if (this.stopped) return;
    if (this.running !== undefined) this.again = true;
    else void this.runNow();
  }

  /** Runs a pass (after the one in flight, if any) and resolves when it is done. */
  async runNow(): Promise<void> {
    while (this.running !== undefined) await this.running;
    if (this.stopped) return;
    this.running = this.pass()
      .catch((error: unknown) => this.logger.warn({ err: error }, "warm-pool pass failed"))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.runNow();
        }
      });
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
