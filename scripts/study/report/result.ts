/** The study's result as `--json` writes it and the reports read it. */
import type { CellNotRun, CellResult } from "../analysis";
import type { CostReport } from "../cost/report";
import { modelledCct, STUDY_START, type StartModel } from "../start-model";

export interface StudyCell extends CellResult {
  /** Measured plus the study's container start (STUDY_START, eks-ec2); warm claims add nothing. */
  readonly modelledCct: { readonly p50: number | null; readonly p99: number | null };
}

export interface StudyResult {
  readonly nodeProvisioningSeconds: number;
  /** Every time in `cells` is in ms (points in seconds). */
  readonly cctUnit: "ms";
  /** What added the nodes. */
  readonly autoscaler: string;
  readonly startModel: readonly StartModel[];
  readonly cells: readonly StudyCell[];
  /** Cells that could not run, with the reason. */
  readonly notRun: readonly CellNotRun[];
  readonly cost: CostReport;
}

export function studyResult(
  cells: readonly CellResult[],
  notRun: readonly CellNotRun[],
  options: { nodeProvisioningSeconds: number; autoscaler: string; cost: CostReport },
): StudyResult {
  return {
    nodeProvisioningSeconds: options.nodeProvisioningSeconds,
    cctUnit: "ms",
    autoscaler: options.autoscaler,
    startModel: STUDY_START,
    cells: cells.map((cell) => ({
      ...cell,
      modelledCct: modelledCct(cell.cct, cell.config === "warm-pool"),
    })),
    notRun,
    cost: options.cost,
  };
}
