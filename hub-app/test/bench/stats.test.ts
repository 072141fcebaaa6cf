import { describe as suite, expect, it } from "vitest";
import { describe, mean } from "../../src/bench/stats.js";

/** HDR histograms with 3 significant digits are within 0.1% of the exact value. */
const HDR_RELATIVE_ERROR = 0.001;

function expectNear(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(expected * HDR_RELATIVE_ERROR + 1e-9);
}

suite("describe", () => {
  it("gives nulls and a zero count for no samples", () => {
    expect(describe([])).toEqual({
      count: 0,
      min: null,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      mean: null,
    });
  });

  it("gives the value itself for a constant distribution", () => {
    const distribution = describe(new Array<number>(50).fill(200));
    expect(distribution).toEqual({ count: 50, min: 200, p50: 200, p90: 200, p99: 200, max: 200, mean: 200 });
  });

  it("finds the percentiles of a uniform 1..1000 ms distribution", () => {
    const values = Array.from({ length: 1000 }, (_, index) => index + 1);
    const distribution = describe(values);
    expectNear(distribution.p50, 500);
    expectNear(distribution.p90, 900);
    expectNear(distribution.p99, 990);
    expect(distribution.min).toBe(1);
    expect(distribution.max).toBe(1000);
    expect(distribution.mean).toBe(500.5);
  });

  it("puts p50 and p90 on the low point and p99 on the high point of a 90/10 two-point distribution", () => {
    const values = [...new Array<number>(90).fill(100), ...new Array<number>(10).fill(1000)];
    const distribution = describe(values);
    expectNear(distribution.p50, 100);
    expectNear(distribution.p90, 100);
    expect(distribution.p99).toBe(1000);
    expect(distribution.mean).toBe(190);
  });

  it("keeps sub-millisecond resolution", () => {
    const distribution = describe([0.25, 0.25, 0.75]);
    expect(distribution.p50).toBe(0.25);
    expect(distribution.max).toBe(0.75);
  });

  it("never reports a percentile above the exact max", () => {
    const distribution = describe([123_456.7]);
    expect(distribution.p99).toBe(123_456.7);
  });

  it("drops values that are not numbers and counts negatives as zero", () => {
    expect(describe([Number.NaN, -5, 10]).count).toBe(2);
    expect(describe([-5]).max).toBe(0);
  });
});

suite("mean", () => {
  it("is undefined for nothing and the average otherwise", () => {
    expect(mean([])).toBeUndefined();
    expect(mean([1, 2, 6])).toBe(3);
  });
});
