/** A clock tests move by hand: timers run only when advanced past, optionally late by a fixed amount. */
import type { Clock } from "../../src/bench/scheduler.js";

interface Timer {
  readonly at: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private time = 0;
  private readonly timers: Timer[] = [];

  /** lateByMs: every timer runs this much after its due time (a busy event loop). */
  constructor(private readonly lateByMs = 0) {}

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms) + this.lateByMs, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Runs every timer due up to `target`, in order, with the clock at each timer's time. */
  advanceTo(target: number): void {
    for (;;) {
      const due = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= target)
        .sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = Math.max(this.time, target);
  }

  /** Moves the clock without running timers: the process was stalled. */
  jumpTo(target: number): void {
    this.time = target;
  }

  pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }
}
