import { build } from "hdr-histogram-js";

/** How one metric was distributed, in ms; every field but `count` is null when nothing was measured. */
export interface Distribution {
  readonly count: number;
  readonly min: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** Percentiles reported everywhere (as clusterloader2's pod-startup measurement reports them: p50/p90/p99, plus max and mean). */
export const REPORTED_PERCENTILES = ["p50", "p90", "p99"] as const;

/** hdr-histogram records integers: ms are recorded as whole µs, so sub-ms command times keep their resolution. */
const MICROSECONDS_PER_MS = 1000;

/**
 * Summarises durations in ms. Percentiles come from an HDR histogram (3 significant digits, so within 0.1%),
 * clamped to the exact min and max; min, max and mean are exact.
 */
export function describe(valuesMs: readonly number[]): Distribution {
  const values = valuesMs.filter((value) => Number.isFinite(value)).map((value) => Math.max(0, value));
  if (values.length === 0) {
    return { count: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null };
  }
  const histogram = build({ numberOfSignificantValueDigits: 3 });
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const value of values) {
    histogram.recordValue(Math.round(value * MICROSECONDS_PER_MS));
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
  }
  const at = (percentile: number): number =>
    Math.min(max, Math.max(min, histogram.getValueAtPercentile(percentile) / MICROSECONDS_PER_MS));
  const distribution = {
    count: values.length,
    min,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max,
    mean: sum / values.length,
  };
  histogram.destroy();
  return distribution;
}

/** The arithmetic mean, or undefined for no values (a container whose commands never ran has no average). */
export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return values.reduce((total, value) => total + value, 0) / values.length;
}
