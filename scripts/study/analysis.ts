/**
 * One cell of the study from what the load tester recorded and what the watches saw: creation times,
 * which creates waited for a node (bound to a node that became Ready after the create was sent),
 * nodes the autoscaler added and placeholders evicted.
 */
import type { RunRecord } from "../../hub-app/src/bench/format";
import { describe } from "../../hub-app/src/bench/stats";
import type { Observations } from "./observer";
import { STUDY_CONFIGS, type StudyConfig } from "./grid";

export interface Percentiles {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface CreatePoint {
  /** Seconds since the cell's first create. */
  readonly atS: number;
  /** Client-side creation time (request to ready), seconds. */
  readonly cctS: number;
  readonly waitedForNode: boolean;
}

export interface CellResult {
  readonly config: StudyConfig;
  readonly n: number;
  readonly intervalMs: number;
  /** Client-side creation time, ms: measured on the real control plane, no container start (kwok). */
  readonly cct: Percentiles;
  readonly ok: number;
  readonly failed: number;
  readonly waitedForNode: number;
  readonly nodesAdded: number;
  readonly placeholdersPreempted: number;
  /**
   * Creates that had to preempt (the scheduler nominated them a node and deleted a placeholder there) and
   * how long, ms, from the nomination to the bind: the scheduler's back-off after the failed attempt.
   */
  readonly preempting: { readonly count: number; readonly bindAfterNomination: Percentiles };
  /** Creates the Hub answered from its warm pool (its timings carry `claimed`). */
  readonly warmClaims: number;
  /** Placeholder replicas and warm members in place when the cell started. */
  readonly placeholders: number;
  readonly warmPoolSize: number;
  readonly workersAtStart: number;
  readonly points: readonly CreatePoint[];
}

export interface CellSetup {
  readonly config: StudyConfig;
  readonly placeholders: number;
  readonly warmPoolSize: number;
  readonly workersAtStart: number;
  /** Epoch ms: the cell's window, from before the first create to after the last delete. */
  readonly from: number;
  readonly to: number;
}

const within = (at: number | undefined, setup: CellSetup): boolean =>
  at !== undefined && at >= setup.from && at <= setup.to;

export function analyzeCell(record: RunRecord, seen: Observations, setup: CellSetup): CellResult {
  if (!STUDY_CONFIGS.includes(setup.config)) throw new Error(`unknown configuration ${setup.config}`);
  const startedAt = Date.parse(record.startedAt);
  const points: CreatePoint[] = [];
  for (const sample of record.samples) {
    if (sample.status !== "ok" || sample.readyMs === undefined || sample.id === undefined) continue;
    const node = seen.sandboxNodes.get(sample.id);
    const readyAt = node === undefined ? undefined : seen.nodes.get(node)?.readyAt;
    const sentAt = startedAt + sample.firedMs;
    points.push({
      atS: sample.firedMs / 1000,
      cctS: (sample.readyMs - sample.firedMs) / 1000,
      // A node never seen Ready, or Ready only after the create was sent: this create waited for it.
      waitedForNode: node !== undefined && (readyAt === undefined || readyAt > sentAt),
    });
  }
  const distribution = describe(points.map((point) => point.cctS * 1000));
  const cellIds = new Set(record.samples.flatMap((sample) => (sample.id === undefined ? [] : [sample.id])));
  const nominated = [...seen.nominations.entries()].filter(([id]) => cellIds.has(id));
  const bindAfter = describe(
    nominated.flatMap(([, n]) => (n.boundAt === undefined ? [] : [n.boundAt - n.nominatedAt])),
  );
  const nodesAdded = [...seen.nodes.values()].filter(
    (node) => node.added && within(node.addedAt, setup),
  ).length;
  return {
    config: setup.config,
    n: record.options.count,
    intervalMs: record.options.intervalMs,
    cct: { p50: distribution.p50, p90: distribution.p90, p99: distribution.p99, max: distribution.max },
    ok: record.summary.ok,
    failed: record.summary.failed + record.summary.aborted,
    waitedForNode: points.filter((point) => point.waitedForNode).length,
    nodesAdded,
    placeholdersPreempted: seen.placeholderEvictions.filter((at) => within(at, setup)).length,
    preempting: {
      count: nominated.length,
      bindAfterNomination: { p50: bindAfter.p50, p90: bindAfter.p90, p99: bindAfter.p99, max: bindAfter.max },
    },
    warmClaims: record.samples.filter((sample) => sample.hubTimings?.claimed !== undefined).length,
    placeholders: setup.placeholders,
    warmPoolSize: setup.warmPoolSize,
    workersAtStart: setup.workersAtStart,
    points,
  };
}

/** A cell that could not run, and why (the others still do). */
export interface CellNotRun {
  readonly config: StudyConfig;
  readonly n: number;
  readonly intervalMs: number;
  readonly reason: string;
}
