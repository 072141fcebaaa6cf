/** The study's table for the terminal (and the README): one line per cell. */
import type { StudyResult } from "./result";

const s = (ms: number | null): string => (ms === null ? "-" : (ms / 1000).toFixed(2));

export const TABLE_HEADER = [
  "config",
  "n",
  "every",
  "CCT p50",
  "p90",
  "p99",
  "max (s)",
  "waited for a node",
  "nodes added",
  "placeholders (preempted)",
  "preempting creates: bind after nomination p50 / max (s)",
  "warm members (claims)",
  "failed",
  "modelled p99 (s)",
] as const;

export function tableRows(result: StudyResult): string[][] {
  return result.cells.map((cell) => [
    cell.config,
    String(cell.n),
    `${cell.intervalMs} ms`,
    s(cell.cct.p50),
    s(cell.cct.p90),
    s(cell.cct.p99),
    s(cell.cct.max),
    String(cell.waitedForNode),
    String(cell.nodesAdded),
    `${cell.placeholders} (${cell.placeholdersPreempted})`,
    cell.preempting.count === 0
      ? "0"
      : `${cell.preempting.count}: ${s(cell.preempting.bindAfterNomination.p50)} / ${s(cell.preempting.bindAfterNomination.max)}`,
    `${cell.warmPoolSize} (${cell.warmClaims})`,
    String(cell.failed),
    s(cell.modelledCct.p99),
  ]);
}

/** A Markdown table, readable as plain text too. */
export function renderStudyTable(result: StudyResult): string {
  const rows = [[...TABLE_HEADER], ...tableRows(result)];
  const widths = TABLE_HEADER.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, col) => cell.padEnd(widths[col]!)).join(" | ")} |`;
  return [
    line(rows[0]!),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.slice(1).map(line),
  ].join("\n");
}

/** One line per cell that could not run. */
export function notRunLines(result: StudyResult): string[] {
  return result.notRun.map(
    (cell) => `not run: ${cell.config} ${cell.n} every ${cell.intervalMs} ms: ${cell.reason}`,
  );
}

export function renderStudyText(result: StudyResult): string {
  const notRun = notRunLines(result);
  return `${renderStudyTable(result)}
${notRun.length === 0 ? "" : `\n${notRun.join("\n")}\n`}
Measured on a real Kubernetes 1.34 control plane with kwok nodes; nodes added by ${result.autoscaler}, each Ready
${result.nodeProvisioningSeconds} s after launch. CCT = request to ready, client side, without container start (kwok starts
nothing); modelled p99 = measured p99 + the study's slowest EKS EC2 start (${result.startModel[0]?.maxSeconds} s), warm claims + 0.
`;
}
