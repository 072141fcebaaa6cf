import { describe, expect, it } from "vitest";
import { runOpenLoop, type Firing } from "../../src/bench/scheduler.js";
import { ManualClock } from "./manual-clock.js";

function collect(): { firings: Firing[]; onFire: (firing: Firing) => void } {
  const firings: Firing[] = [];
  return { firings, onFire: (firing) => firings.push(firing) };
}

describe("runOpenLoop", () => {
  it("fires create i at t0 + i * interval without waiting for anything", async () => {
    const clock = new ManualClock();
    const { firings, onFire } = collect();
    const done = runOpenLoop({ count: 5, intervalMs: 100, clock, onFire });
    clock.advanceTo(1000);
    await expect(done).resolves.toEqual({ t0: 0, fired: 5 });
    expect(firings).toEqual(
      [0, 100, 200, 300, 400].map((at, index) => ({ index, scheduledMs: at, firedMs: at })),
    );
  });

  it("does not let timer lateness add up: each wait is computed from t0", async () => {
    const clock = new ManualClock(7);
    const { firings, onFire } = collect();
    const done = runOpenLoop({ count: 4, intervalMs: 100, clock, onFire });
    clock.advanceTo(1000);
    await done;
    expect(firings.map((firing) => firing.firedMs)).toEqual([0, 107, 207, 307]);
  });

  it("fires every overdue create at once after a stall and records how late each was", async () => {
    const clock = new ManualClock();
    const { firings, onFire } = collect();
    const done = runOpenLoop({ count: 5, intervalMs: 100, clock, onFire });
    clock.jumpTo(350);
    clock.advanceTo(350);
    expect(firings.map((firing) => firing.firedMs - firing.scheduledMs)).toEqual([0, 250, 150, 50]);
    clock.advanceTo(400);
    await expect(done).resolves.toMatchObject({ fired: 5 });
  });

  it("stops scheduling when the signal aborts and leaves no timer behind", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const { firings, onFire } = collect();
    const done = runOpenLoop({ count: 10, intervalMs: 100, clock, signal: controller.signal, onFire });
    clock.advanceTo(150);
    controller.abort();
    await expect(done).resolves.toMatchObject({ fired: 2 });
    clock.advanceTo(2000);
    expect(firings).toHaveLength(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("fires nothing when aborted before it starts", async () => {
    const controller = new AbortController();
    controller.abort();
    const { firings, onFire } = collect();
    await expect(
      runOpenLoop({ count: 3, intervalMs: 0, signal: controller.signal, onFire }),
    ).resolves.toMatchObject({ fired: 0 });
    expect(firings).toHaveLength(0);
  });

  it("with interval 0 fires everything at t0", async () => {
    const clock = new ManualClock();
    const { firings, onFire } = collect();
    await runOpenLoop({ count: 3, intervalMs: 0, clock, onFire });
    expect(firings.map((firing) => firing.firedMs)).toEqual([0, 0, 0]);
  });

  it("on the real clock never fires early and keeps up with a 5 ms interval", async () => {
    const { firings, onFire } = collect();
    await runOpenLoop({ count: 20, intervalMs: 5, onFire });
    expect(firings).toHaveLength(20);
    for (const firing of firings) {
      expect(firing.firedMs).toBeGreaterThanOrEqual(firing.scheduledMs);
      // Generous: a loaded 2-core CI box may stall the loop, but never by a whole second.
      expect(firing.firedMs - firing.scheduledMs).toBeLessThan(1000);
    }
  });
});
