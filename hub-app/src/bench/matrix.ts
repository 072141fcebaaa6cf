/**
 * `matrix`: the original study's grid, 1, 20, 100 and 1000 containers x a create every 100 ms (burst) or
 * 1000 ms (gradual), exec scenario (or --scenario web), against each stack's Hub in turn; one JSON per cell, then the report.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FileUpload } from "./client.js";
import type { RunRecord } from "./format.js";
import type { ConnectedHub } from "./hub-connection.js";
import { measure, type MeasureSettings } from "./measure.js";
import type { Placement } from "../orchestrator/types.js";
import { UsageError, type Scenario } from "./options.js";
import { groupRuns } from "./report-data.js";
import { renderReport } from "./report-html.js";
import type { SpawnControls } from "./run-spawn.js";

// In a file of its own so the study (scripts/study) reads the grid without this file's imports.
export { STUDY_INTERVALS_MS, STUDY_SIZES } from "./study-grid.js";

/** The three stacks: the flag naming each Hub, the label its runs get and the placement its sandboxes use. */
export const MATRIX_STACKS = [
  { key: "eksEc2", flag: "eks-ec2", label: "eks-ec2", placement: "ec2" },
  { key: "eksFargate", flag: "eks-fargate", label: "eks-fargate", placement: "fargate" },
  { key: "ecsFargate", flag: "ecs-fargate", label: "ecs-fargate", placement: "fargate" },
] as const satisfies readonly { key: string; flag: string; label: string; placement: Placement }[];

export interface MatrixTarget {
  readonly label: string;
  readonly url: string;
  readonly token: string;
  readonly placement: Placement;
}

export interface MatrixPlan {
  readonly targets: readonly MatrixTarget[];
  readonly sizes: readonly number[];
  readonly intervalsMs: readonly number[];
  readonly outDir: string;
  /** Everything a cell needs except count, interval, label and placement. */
  readonly cell: Omit<MeasureSettings, "count" | "intervalMs" | "label" | "placement" | "scenario">;
  readonly files: readonly FileUpload[];
  /** exec (the study's) or web. */
  readonly scenario: Scenario;
}

export interface MatrixDeps {
  readonly connect: (target: MatrixTarget) => Promise<ConnectedHub>;
  readonly controls?: SpawnControls;
  /** After each cell: where its JSON went. */
  readonly onCell?: (record: RunRecord, file: string) => void;
}

export interface MatrixResult {
  readonly files: readonly string[];
  readonly reportFile: string;
  readonly records: readonly RunRecord[];
  readonly interrupted: boolean;
}

export function cellFileName(
  label: string,
  count: number,
  intervalMs: number,
  scenario: Scenario = "exec",
): string {
  const suffix = scenario === "exec" ? "" : `-${scenario}`;
  return `${label.replace(/[^a-zA-Z0-9._-]/g, "_")}-n${count}-i${intervalMs}ms${suffix}.json`;
}

export const REPORT_FILE = "report.html";

export function requireTargets(targets: readonly MatrixTarget[]): void {
  if (targets.length === 0) {
    throw new UsageError(
      `matrix needs at least one of ${MATRIX_STACKS.map((stack) => `--hub-${stack.flag}`).join(", ")}`,
    );
  }
}

/** Connects to every Hub first (a wrong URL or token stops the matrix before anything is created), then runs the cells. */
export async function runMatrix(plan: MatrixPlan, deps: MatrixDeps): Promise<MatrixResult> {
  requireTargets(plan.targets);
  await mkdir(plan.outDir, { recursive: true });
  const hubs: { target: MatrixTarget; hub: ConnectedHub }[] = [];
  const records: RunRecord[] = [];
  const files: string[] = [];
  const interrupt = deps.controls?.interrupt;
  try {
    for (const target of plan.targets) hubs.push({ target, hub: await deps.connect(target) });
    for (const { target, hub } of hubs) {
      for (const count of plan.sizes) {
        for (const intervalMs of plan.intervalsMs) {
          if (interrupt?.aborted === true) break;
          const settings = {
            ...plan.cell,
            count,
            intervalMs,
            label: target.label,
            placement: target.placement,
            scenario: plan.scenario,
          };
          const record = await measure(hub, settings, plan.files, deps.controls);
          const file = path.join(plan.outDir, cellFileName(target.label, count, intervalMs, plan.scenario));
          await writeFile(file, JSON.stringify(record, null, 2));
          records.push(record);
          files.push(file);
          deps.onCell?.(record, file);
        }
      }
    }
  } finally {
    await Promise.all(hubs.map(({ hub }) => hub.close()));
  }
  const reportFile = path.join(plan.outDir, REPORT_FILE);
  await writeFile(reportFile, renderReport(groupRuns(records)));
  return { files, reportFile, records, interrupted: interrupt?.aborted === true };
}
