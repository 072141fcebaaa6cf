/** The study as one self-contained HTML page, in the load tester's report style: table, charts, cost. */
import { escapeHtml } from "../../../hub-app/src/bench/html";
import { REPORT_STYLE } from "../../../hub-app/src/bench/report-html";
import { STUDY_CONFIGS } from "../grid";
import { breakEvenText, type CostReport } from "../cost/report";
import { renderCctOverTime } from "./scatter";
import type { StudyResult } from "./result";
import { notRunLines, TABLE_HEADER, tableRows } from "./text";

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`)
    .join("");
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function charts(result: StudyResult): string {
  const figures = STUDY_CONFIGS.map((config) => {
    const cells = result.cells.filter((cell) => cell.config === config);
    if (cells.length === 0) return "";
    const legend = cells.map((cell) => `${cell.n} every ${cell.intervalMs} ms`).join(", ");
    return `<figure data-chart="${config}"><figcaption>${escapeHtml(config)}: creation time over the run (${escapeHtml(legend)})</figcaption>${renderCctOverTime(config, cells)}</figure>`;
  });
  return `<div class="charts">${figures.join("")}</div>`;
}

function costSection(cost: CostReport): string {
  const { load } = cost;
  const rows = cost.stacks.flatMap((stack) => [
    [stack.stack, "total", "", `$${stack.usdPerHour.toFixed(3)}`],
    ...stack.lines.map((line) => ["", line.item, line.quantity, `$${line.usdPerHour.toFixed(3)}`]),
  ]);
  const sources = cost.prices
    .map(
      (source) =>
        `<li>${escapeHtml(source.figure)}: <code>${escapeHtml(source.page)}</code>, read ${escapeHtml(source.readOn)} from ${escapeHtml(source.readFrom)}</li>`,
    )
    .join("");
  return `<section><h2>Cost per hour</h2>
<p>Declared load (${escapeHtml(load.region)}): ${load.studentsPerHour} students/hour, ${load.sessionMinutes}-minute sessions
(${cost.concurrentSandboxes} sandboxes at once), peak ${load.peakCreatesPerSecond} creates/s, ${load.warmPoolSize} warm members,
${load.imageGb} GB image, ${load.egressGbPerHour} GB/h egress. On-demand list prices.</p>
${table(["stack", "item", "quantity", "USD/hour"], rows)}
<ul class="verdicts">${cost.breakEven.map((entry) => `<li>${escapeHtml(breakEvenText(entry))}</li>`).join("")}</ul>
<details><summary>Where each price comes from</summary><ul>${sources}</ul></details></section>`;
}

export function renderStudyHtml(result: StudyResult, generatedAt: Date = new Date()): string {
  const models = result.startModel
    .map(
      (model) =>
        `<li>${escapeHtml(model.stack)}: p50 ${model.p50Seconds} s, up to ${model.maxSeconds} s (${escapeHtml(model.basis)})</li>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>The study replayed: node scaling, headroom, warm pools</title><style>${REPORT_STYLE}</style></head>
<body><h1>The study replayed: node scaling, headroom, warm pools</h1>
<p>Generated ${escapeHtml(generatedAt.toISOString())}. <strong>Measured</strong>: a real Kubernetes 1.34 API server, scheduler
(priorities, preemption) and controller manager, the eks-ec2 stack's objects, the Hub's Kubernetes orchestrator and the load
tester; nodes added by ${escapeHtml(result.autoscaler)}, each Ready ${result.nodeProvisioningSeconds} s after launch (the study's
node scaling time). <strong>Modelled</strong>: container start, which kwok does not play; the study's figures:</p>
<ul>${models}</ul>
<section><h2>Cells</h2>${table(TABLE_HEADER, tableRows(result))}
${notRunLines(result)
  .map((line) => `<p class="verdicts">${escapeHtml(line)}</p>`)
  .join("")}
<p>Times in seconds, client side from the create request to a ready container. "Waited for a node": bound to a node that
became Ready after the create was sent. Modelled p99: measured p99 plus the slowest EKS EC2 start; warm claims add nothing.</p></section>
<section><h2>Creation time over the run</h2>${charts(result)}</section>
${costSection(result.cost)}
</body></html>
`;
}
