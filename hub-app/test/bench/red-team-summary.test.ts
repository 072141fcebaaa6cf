import { describe, expect, it } from "vitest";
import { healthOf, peakRss, tally, within } from "../../bench/red-team/summary.js";

describe("the red-team benchmark's summary", () => {
  it("counts outcomes, most frequent first", () => {
    expect(tally(["201", "429", "201", "ECONNRESET", "201"])).toBe("201 ×3, 429 ×1, ECONNRESET ×1");
    expect(tally([])).toBe("");
  });

  it("gives each phase the probes and samples started within it", () => {
    const phase = { name: "creates", startedAt: 100, endedAt: 200, outcomes: [] };
    const samples = [{ at: 99 }, { at: 100 }, { at: 199 }, { at: 200 }];
    expect(within(samples, phase)).toEqual([{ at: 100 }, { at: 199 }]);
    expect(
      peakRss([
        { at: 1, rssMiB: 80 },
        { at: 2, rssMiB: 120 },
      ]),
    ).toBe(120);
  });

  it("reports the worst and p99 latency and the probes that did not answer 200", () => {
    const probes = [
      ...Array.from({ length: 99 }, (_, i) => ({ at: i, ms: 10, status: 200 })),
      { at: 99, ms: 900, error: "ECONNRESET" },
    ];
    expect(healthOf(probes)).toEqual({
      probes: 100,
      worstMs: 900,
      p99Ms: 10,
      failed: 1,
      failures: "ECONNRESET ×1",
    });
  });
});
