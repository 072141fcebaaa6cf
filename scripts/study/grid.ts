/**
 * The study's grid (the original study's 1, 20, 100 and 1000 containers, a create every 100 ms and
 * every 1 s) in three configurations, and how much headroom or warm pool each cell gets.
 */
import { placeholderHeadroom } from "../../components/kubernetes/headroom";
import type { Allocatable } from "../../components/kubernetes/allocatable";
import type { SandboxSize } from "../../components/kubernetes/sandbox-policies";
import { STUDY_INTERVALS_MS, STUDY_SIZES } from "../../hub-app/src/bench/study-grid";

export const STUDY_CONFIGS = ["no-headroom", "headroom", "warm-pool"] as const;
export type StudyConfig = (typeof STUDY_CONFIGS)[number];

export interface Cell {
  readonly config: StudyConfig;
  readonly n: number;
  readonly intervalMs: number;
}

/** The whole grid, configuration by configuration (each configuration's Hub and placeholders are set once). */
export function fullGrid(configs: readonly StudyConfig[] = STUDY_CONFIGS): Cell[] {
  return configs.flatMap((config) =>
    STUDY_INTERVALS_MS.flatMap((intervalMs) => STUDY_SIZES.map((n) => ({ config, n, intervalMs }))),
  );
}

/** A subset that still shows the effect: a 100-container burst (10/s) past one worker's room, in every configuration. */
export function quickGrid(): Cell[] {
  return STUDY_CONFIGS.map((config) => ({ config, n: 100, intervalMs: 100 }));
}

export interface CellCapacity {
  readonly nodeProvisioningSeconds: number;
  readonly sandbox: SandboxSize;
  readonly node: Allocatable;
  readonly maxNodes: number;
}

/** Creates per second a cell sends. */
export const rateOf = (cell: Cell): number => 1000 / cell.intervalMs;

/**
 * Placeholders for a cell: none without headroom; with it, the stack's formula for the cell's rate
 * (components/kubernetes/headroom.ts), exactly what eks.createRatePerSecond = that rate deploys.
 */
export function placeholdersFor(cell: Cell, capacity: CellCapacity): number {
  if (cell.config !== "headroom") return 0;
  return placeholderHeadroom({ createRatePerSecond: rateOf(cell), ...capacity }).replicas;
}

/**
 * Warm members for a cell: what arrives within one node provisioning time (the same rate x time as
 * the headroom), but never more than the cell creates, since each claim is refilled in the background.
 */
export function warmPoolFor(cell: Cell, capacity: CellCapacity): number {
  if (cell.config !== "warm-pool") return 0;
  const withinProvisioning = placeholderHeadroom({ createRatePerSecond: rateOf(cell), ...capacity }).replicas;
  return Math.min(cell.n, withinProvisioning);
}
