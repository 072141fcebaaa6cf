/** Pure parts of the red-team benchmark: phases in time, outcomes counted, the /healthz probes of each phase. */

export interface Phase {
  readonly name: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** How each request or connection of the phase ended ("201", "429", "ECONNRESET", ...). */
  readonly outcomes: readonly string[];
}

export interface Probe {
  readonly at: number;
  readonly ms: number;
  readonly status?: number;
  readonly error?: string;
}

export interface RssSample {
  readonly at: number;
  readonly rssMiB: number;
}

/** "201 ×990, 429 ×10", most frequent first. */
export function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([outcome, count]) => `${outcome} ×${count}`)
    .join(", ");
}

/** Probes started during the phase (a probe started before it and answered within it belongs to the one before). */
export function within<T extends { at: number }>(samples: readonly T[], phase: Phase): T[] {
  return samples.filter((sample) => sample.at >= phase.startedAt && sample.at < phase.endedAt);
}

export interface HealthSummary {
  readonly probes: number;
  readonly worstMs: number;
  readonly p99Ms: number;
  readonly failed: number;
  /** Probes that did not answer 200, as tally() prints them. */
  readonly failures: string;
}

export function healthOf(probes: readonly Probe[]): HealthSummary {
  const sorted = probes.map((probe) => probe.ms).sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
  const failed = probes
    .filter((probe) => probe.status !== 200)
    .map((probe) => probe.error ?? String(probe.status));
  return {
    probes: probes.length,
    worstMs: sorted.at(-1) ?? Number.NaN,
    p99Ms: p99,
    failed: failed.length,
    failures: tally(failed),
  };
}

export function peakRss(samples: readonly RssSample[]): number {
  return samples.reduce((peak, sample) => Math.max(peak, sample.rssMiB), 0);
}
