/** The numbers of a run, computed from its samples (pure: the text and the HTML report both read this). */
import type { Sample } from "./format.js";
import { describe, mean, type Distribution } from "./stats.js";
import { verdict, type Verdict } from "./verdict.js";

export interface PhaseSummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface Summary {
  readonly requested: number;
  readonly fired: number;
  readonly ok: number;
  readonly failed: number;
  readonly aborted: number;
  /** Client-side, request sent to container ready. */
  readonly creationMs: Distribution;
  /** Per container: the mean client-side time of its commands. */
  readonly commandAverageMs: Distribution;
  /** Every command's time as the Hub measured it. */
  readonly commandHubMs: Distribution;
  /** Web scenario: create sent to the app's first 200 through the Hub. */
  readonly firstResponseMs: Distribution;
  /** Web scenario: every GET through the port URL once the app answered. */
  readonly proxiedMs: Distribution;
  /** Warm-pool claims against cold starts. */
  readonly warm: WarmSummary;
  /** Actual minus scheduled send time: the tool's own lateness. */
  readonly schedulerLagMs: Distribution;
  /** The Hub's `timings` phases (ms since the Hub's createdAt). */
  readonly hubPhasesMs: Readonly<Record<string, PhaseSummary>>;
  /** `<phase>:<code>` -> count, e.g. `create:no_capacity`. */
  readonly failuresByCode: Readonly<Record<string, number>>;
  readonly targetCreatesPerSecond: number | null;
  readonly achievedCreatesPerSecond: number | null;
  readonly verdict: Verdict;
}

/** Creates a warm pool served against those started cold: the hit ratio and each side's creation time. */
export interface WarmSummary {
  /** Creates answered `warm: true`. */
  readonly claimed: number;
  /** Creates answered `warm: false` (a miss, or no pool of that shape). */
  readonly cold: number;
  /** claimed / (claimed + cold); null when the Hub said neither (no pools before this Hub version). */
  readonly hitRatio: number | null;
  readonly claimedCreationMs: Distribution;
  readonly coldCreationMs: Distribution;
}

/** Hub phases in creation order, so tables read left to right; unknown phases follow. */
const PHASE_ORDER = ["accepted", "scheduled", "pulled", "started", "ready"];

function definedValues(values: readonly (number | undefined)[]): number[] {
  return values.filter((value): value is number => value !== undefined);
}

export function creationTimes(samples: readonly Sample[]): number[] {
  return definedValues(
    samples.map((sample) => (sample.readyMs === undefined ? undefined : sample.readyMs - sample.firedMs)),
  );
}

/** Creation times of the creates the Hub answered with this `warm`. */
export function creationTimesWhere(samples: readonly Sample[], warm: boolean): number[] {
  return creationTimes(samples.filter((sample) => sample.warm === warm));
}

export function summarizeWarm(samples: readonly Sample[]): WarmSummary {
  const claimed = samples.filter((sample) => sample.warm === true).length;
  const cold = samples.filter((sample) => sample.warm === false).length;
  return {
    claimed,
    cold,
    hitRatio: claimed + cold === 0 ? null : claimed / (claimed + cold),
    claimedCreationMs: describe(creationTimesWhere(samples, true)),
    coldCreationMs: describe(creationTimesWhere(samples, false)),
  };
}

export function commandAverages(samples: readonly Sample[]): number[] {
  return definedValues(samples.map((sample) => mean(sample.commands.map((command) => command.clientMs))));
}

export function firstResponseTimes(samples: readonly Sample[]): number[] {
  return definedValues(
    samples.map((sample) =>
      sample.firstResponseMs === undefined ? undefined : sample.firstResponseMs - sample.firedMs,
    ),
  );
}

export function proxiedTimes(samples: readonly Sample[]): number[] {
  return samples.flatMap((sample) => sample.proxiedMs ?? []);
}

function summarizeHubPhases(samples: readonly Sample[]): Record<string, PhaseSummary> {
  const byPhase = new Map<string, number[]>();
  for (const sample of samples) {
    for (const [phase, ms] of Object.entries(sample.hubTimings ?? {})) {
      byPhase.set(phase, [...(byPhase.get(phase) ?? []), ms]);
    }
  }
  const rank = (phase: string): number => {
    const known = PHASE_ORDER.indexOf(phase);
    return known === -1 ? PHASE_ORDER.length : known;
  };
  const phases = [...byPhase.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return Object.fromEntries(
    phases.map((phase) => {
      const { count, p50, p99 } = describe(byPhase.get(phase) ?? []);
      return [phase, { count, p50, p99 }];
    }),
  );
}

function countFailures(samples: readonly Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.error === undefined) continue;
    const key = `${sample.error.phase}:${sample.error.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function achievedRate(samples: readonly Sample[]): number | null {
  if (samples.length < 2) return null;
  const fireTimes = samples.map((sample) => sample.firedMs);
  const spanMs = Math.max(...fireTimes) - Math.min(...fireTimes);
  return spanMs > 0 ? ((samples.length - 1) * 1000) / spanMs : null;
}

export function summarize(
  samples: readonly Sample[],
  plan: { readonly count: number; readonly intervalMs: number; readonly interrupted: boolean },
): Summary {
  const fired = samples.length;
  const ok = samples.filter((sample) => sample.status === "ok").length;
  const aborted = samples.filter((sample) => sample.status === "aborted").length;
  const failed = samples.filter((sample) => sample.status === "failed").length;
  const creationMs = describe(creationTimes(samples));
  const commandAverageMs = describe(commandAverages(samples));
  const failuresByCode = countFailures(samples);
  const firstResponseMs = describe(firstResponseTimes(samples));
  const proxiedMs = describe(proxiedTimes(samples));
  return {
    requested: plan.count,
    fired,
    ok,
    failed,
    aborted,
    creationMs,
    commandAverageMs,
    commandHubMs: describe(
      definedValues(samples.flatMap((sample) => sample.commands.map((command) => command.hubMs))),
    ),
    firstResponseMs,
    proxiedMs,
    warm: summarizeWarm(samples),
    schedulerLagMs: describe(samples.map((sample) => sample.firedMs - sample.scheduledMs)),
    hubPhasesMs: summarizeHubPhases(samples),
    failuresByCode,
    targetCreatesPerSecond: plan.intervalMs > 0 ? 1000 / plan.intervalMs : null,
    achievedCreatesPerSecond: achievedRate(samples),
    verdict: verdict({
      requested: plan.count,
      ok,
      failed: failed + aborted,
      interrupted: plan.interrupted,
      creationP99Ms: creationMs.p99,
      commandP50Ms: commandAverageMs.p50,
      ...(firstResponseMs.count === 0
        ? {}
        : {
            web: {
              firstResponseP99Ms: firstResponseMs.p99,
              proxiedP50Ms: proxiedMs.p50,
              proxiedP99Ms: proxiedMs.p99,
            },
          }),
      failuresByCode,
    }),
  };
}
