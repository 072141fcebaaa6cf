import { describe, expect, it } from "vitest";
import {
  BAR_WIDTH,
  DEFAULT_MAX_BINS,
  binValues,
  niceStep,
  renderTextHistogram,
  suitableBinCount,
} from "../../src/bench/histogram-text.js";

describe("niceStep", () => {
  it("rounds up to 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1)).toBe(1);
    expect(niceStep(1.2)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(700)).toBe(1000);
    expect(niceStep(0)).toBe(0.1);
  });
});

describe("suitableBinCount", () => {
  it("follows Sturges' rule for few values and caps it for many", () => {
    expect(suitableBinCount(1)).toBe(1);
    expect(suitableBinCount(3)).toBe(3);
    expect(suitableBinCount(50)).toBe(7);
    expect(suitableBinCount(100_000)).toBe(DEFAULT_MAX_BINS);
  });
});

describe("binValues", () => {
  it("has no bins for no values", () => {
    expect(binValues([])).toEqual({ stepMs: 0, bins: [] });
  });

  it("reproduces the study's 50-container burst: 2 at 1 s, 24 at 2 s, 24 at 3 s", () => {
    const values = [
      ...new Array<number>(2).fill(900),
      ...new Array<number>(24).fill(1800),
      ...new Array<number>(24).fill(2600),
    ];
    const { stepMs, bins } = binValues(values, 4);
    expect(stepMs).toBe(1000);
    expect(bins).toEqual([
      { upperMs: 1000, count: 2 },
      { upperMs: 2000, count: 24 },
      { upperMs: 3000, count: 24 },
      { upperMs: 4000, count: 0 },
    ]);
  });

  it("puts a constant distribution in one bin between two empty ones", () => {
    const { bins } = binValues(new Array<number>(50).fill(200));
    expect(bins.map((bin) => bin.count)).toEqual([0, 50, 0]);
    expect(bins[1]?.upperMs).toBeCloseTo(200);
  });

  it("spreads a uniform distribution evenly over at most maxBins data bins", () => {
    const values = Array.from({ length: 1000 }, (_, index) => index + 1);
    const { stepMs, bins } = binValues(values, 10);
    expect(stepMs).toBe(100);
    const dataBins = bins.filter((bin) => bin.count > 0);
    expect(dataBins).toHaveLength(10);
    expect(dataBins.every((bin) => bin.count === 100)).toBe(true);
  });

  it("separates the two points of a two-point distribution and counts every value once", () => {
    const values = [...new Array<number>(90).fill(100), ...new Array<number>(10).fill(1000)];
    const { bins } = binValues(values, 10);
    expect(bins.reduce((total, bin) => total + bin.count, 0)).toBe(100);
    expect(bins.find((bin) => bin.count === 90)?.upperMs).toBe(100);
    expect(bins.find((bin) => bin.count === 10)?.upperMs).toBe(1000);
  });

  it("pads below with an empty bin unless that bin would end at 0", () => {
    const padded = binValues([150, 160], 10);
    expect(padded.bins[0]).toEqual({ upperMs: 150 - padded.stepMs, count: 0 });
    expect(binValues([0.05, 0.08], 10).bins[0]?.count).toBeGreaterThan(0);
  });

  it("keeps a value on a bin edge in that bin despite floating point", () => {
    const { bins } = binValues([100, 200, 300], 3);
    expect(bins.filter((bin) => bin.count === 1).map((bin) => bin.upperMs)).toEqual([100, 200, 300]);
  });
});

describe("renderTextHistogram", () => {
  it("prints the study's lines: (count) bin |bar, then bins, total and step", () => {
    const values = [
      ...new Array<number>(2).fill(900),
      ...new Array<number>(24).fill(1800),
      ...new Array<number>(24).fill(2600),
    ];
    const text = renderTextHistogram("Container creation time", values, 4);
    const lines = text.split("\n");
    expect(lines[1]).toBe("Container creation time");
    expect(lines).toContain(`(24)   2.0s   |${"#".repeat(24)}`);
    expect(lines).toContain("(2)    1.0s   |##");
    expect(lines).toContain("(0)    4.0s   |");
    expect(text).toContain("bins: 4; total: 50; step: 1.00");
  });

  it("scales bars down to the bar width when a bin holds more than that", () => {
    const text = renderTextHistogram("t", [
      ...new Array<number>(1000).fill(150),
      ...new Array<number>(100).fill(250),
    ]);
    const bars = text
      .split("\n")
      .filter((line) => line.includes("|#"))
      .map((line) => line.split("|")[1]);
    expect(bars).toEqual(["#".repeat(BAR_WIDTH), "#".repeat(BAR_WIDTH / 10)]);
  });

  it("says there were no samples instead of drawing nothing", () => {
    expect(renderTextHistogram("t", [])).toContain("(no samples)");
  });
});
