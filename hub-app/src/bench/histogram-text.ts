/**
 * Text histograms in the original study's form (seeds/000: "(24)   2.0s   |####..."):
 * one line per bin with its count, its upper edge in seconds and a bar, then "bins; total; step".
 */

export interface Bin {
  /** The bin holds values in (upperMs - step, upperMs]. */
  readonly upperMs: number;
  readonly count: number;
}

export interface Binning {
  readonly stepMs: number;
  readonly bins: readonly Bin[];
}

/** Data bins at most (fewer for few values: Sturges' rule, ceil(log2 n) + 1); one empty bin is added on each side, as in the study, to show nothing lies beyond (but none at 0). */
export const DEFAULT_MAX_BINS = 12;
/** The study's bars: 50 containers in one bin drew 50 '#'. Longer bars are scaled down to this width. */
export const BAR_WIDTH = 50;
/** Steps are 1, 2 or 5 times a power of ten, never under 0.1 ms. */
const NICE_MULTIPLIERS = [1, 2, 5] as const;
const SMALLEST_STEP_MS = 0.1;
/** Floating-point slack so that 0.3 with a 0.1 step lands in the 0.3 bin, not the 0.4 one. */
const EDGE_EPSILON = 1e-9;

/** Index k of the bin (k-1)*step < value <= k*step. */
function binIndex(valueMs: number, stepMs: number): number {
  return Math.max(0, Math.ceil(valueMs / stepMs - EDGE_EPSILON));
}

/** The smallest nice step >= the given one. */
export function niceStep(minimumStepMs: number): number {
  const wanted = Math.max(SMALLEST_STEP_MS, minimumStepMs);
  let magnitude = 10 ** Math.floor(Math.log10(wanted));
  for (;;) {
    for (const multiplier of NICE_MULTIPLIERS) {
      const step = multiplier * magnitude;
      if (step >= wanted * (1 - EDGE_EPSILON)) return step;
    }
    magnitude *= 10;
  }
}

/** How many data bins suit n values: Sturges' rule, capped. */
export function suitableBinCount(valueCount: number): number {
  return Math.min(DEFAULT_MAX_BINS, Math.ceil(Math.log2(Math.max(1, valueCount))) + 1);
}

/** Bins values (ms) with the smallest nice step that needs at most maxBins data bins, padded by one empty bin each side (none at 0). */
export function binValues(valuesMs: readonly number[], maxBins = suitableBinCount(valuesMs.length)): Binning {
  if (valuesMs.length === 0) return { stepMs: 0, bins: [] };
  const lowest = Math.min(...valuesMs);
  const highest = Math.max(...valuesMs);
  let stepMs = niceStep((highest - lowest) / maxBins);
  while (binIndex(highest, stepMs) - binIndex(lowest, stepMs) + 1 > maxBins) stepMs = niceStep(stepMs * 1.5);
  // No padding bin at 0 s: nothing takes zero time (the study starts its creation histogram at 1.0s).
  const lowestBin = binIndex(lowest, stepMs);
  const first = lowestBin > 1 ? lowestBin - 1 : lowestBin;
  const last = binIndex(highest, stepMs) + 1;
  const counts = new Array<number>(last - first + 1).fill(0);
  for (const value of valuesMs) {
    const slot = binIndex(value, stepMs) - first;
    counts[slot] = (counts[slot] ?? 0) + 1;
  }
  return { stepMs, bins: counts.map((count, slot) => ({ upperMs: (first + slot) * stepMs, count })) };
}

/** Decimals needed to tell bin edges apart at this step, in seconds (at least one, as in "1.0s"). */
function secondsDecimals(stepMs: number): number {
  return Math.max(1, Math.ceil(-Math.log10(stepMs / 1000) - EDGE_EPSILON));
}

function bar(count: number, largestCount: number): string {
  if (largestCount <= BAR_WIDTH) return "#".repeat(count);
  if (count === 0) return "";
  return "#".repeat(Math.max(1, Math.round((count * BAR_WIDTH) / largestCount)));
}

const RULE = "-".repeat(BAR_WIDTH);

/** The study's block: a rule, the title, a rule, one line per bin, the footer, a rule. */
export function renderTextHistogram(
  title: string,
  valuesMs: readonly number[],
  maxBins = suitableBinCount(valuesMs.length),
): string {
  const header = [RULE, title, RULE];
  const { stepMs, bins } = binValues(valuesMs, maxBins);
  if (bins.length === 0) return [...header, "(no samples)", RULE].join("\n");
  const decimals = secondsDecimals(stepMs);
  const counts = bins.map((bin) => `(${bin.count})`);
  const labels = bins.map((bin) => `${(bin.upperMs / 1000).toFixed(decimals)}s`);
  const countWidth = Math.max(...counts.map((text) => text.length)) + 3;
  const labelWidth = Math.max(...labels.map((text) => text.length)) + 3;
  const largestCount = Math.max(...bins.map((bin) => bin.count));
  const lines = bins.map(
    (bin, slot) =>
      `${(counts[slot] ?? "").padEnd(countWidth)}${(labels[slot] ?? "").padEnd(labelWidth)}|${bar(bin.count, largestCount)}`,
  );
  const footer = `bins: ${bins.length}; total: ${valuesMs.length}; step: ${(stepMs / 1000).toFixed(decimals + 1)}`;
  return [...header, ...lines, footer, RULE].join("\n");
}
