/** `report`: one self-contained HTML page (inline CSS and SVG, no script, no fonts or anything from the network). */
import { renderTextHistogram } from "./histogram-text.js";
import { escapeHtml, seconds } from "./html.js";
import type { RunGroup } from "./report-data.js";
import type { Distribution } from "./stats.js";
import { commandAverages, creationTimes } from "./summary.js";
import { renderEcdfChart, renderLegend } from "./svg-chart.js";
import { warmCharts, warmTable } from "./report-warm.js";
import { webCharts, webTable, webTextHistograms } from "./report-web.js";

/** The report's stylesheet; the study report (scripts/study) uses it too. */
export const REPORT_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;max-width:1400px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.5rem;border-bottom:1px solid #ccc}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts figure{margin:0;flex:1 1 480px;max-width:720px}
figcaption{font-weight:600;margin-bottom:.25rem}
svg{width:100%;height:auto;font-size:11px}svg text{fill:#444}
.grid{stroke:#e5e5e5}.frame{fill:none;stroke:#999}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums;max-width:100%}
td.url{overflow-wrap:anywhere;min-width:8rem}dl.options{margin:0;display:grid;grid-template-columns:auto auto;gap:0 .75rem;text-align:left}
dl.options dt{color:#666;white-space:nowrap}dl.options dd{margin:0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{text-align:left}
.legend{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}.swatch{display:inline-block;width:1rem;height:.6rem;margin-right:.35rem}
.scroll{overflow-x:auto;max-width:100%}.verdicts{padding-left:1.2rem}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}
`;

function cells(tag: "td" | "th", values: readonly (string | number)[]): string {
  return values.map((value) => `<${tag}>${escapeHtml(value)}</${tag}>`).join("");
}

function distributionCells(distribution: Distribution): string[] {
  const { p50, p90, p99, max, mean } = distribution;
  return [p50, p90, p99, max, mean].map(seconds);
}

function percentilesTable(group: RunGroup): string {
  const header = cells("th", [
    "label",
    "n",
    "ok",
    "failed",
    "creation p50 (s)",
    "p90",
    "p99",
    "max",
    "mean",
    "command avg p50 (s)",
    "p90",
    "p99",
    "max",
    "mean",
    "creates/s",
  ]);
  const rows = group.runs.map(({ label, record }) => {
    const { summary } = record;
    const rate =
      summary.achievedCreatesPerSecond === null ? "-" : summary.achievedCreatesPerSecond.toFixed(2);
    const values = [
      label,
      summary.requested,
      summary.ok,
      summary.failed + summary.aborted,
      ...distributionCells(summary.creationMs),
      ...distributionCells(summary.commandAverageMs),
      rate,
    ];
    return `<tr>${cells("td", values)}</tr>`;
  });
  const verdicts = group.runs.map(
    ({ label, record }) =>
      `<li><strong>${escapeHtml(label)}</strong>: ${escapeHtml(record.summary.verdict.text)}</li>`,
  );
  return `<div class="scroll"><table><thead><tr>${header}</tr></thead><tbody>${rows.join("")}</tbody></table></div><ul class="verdicts">${verdicts.join("")}</ul>`;
}

function hubPhasesTable(group: RunGroup): string {
  const phases = [...new Set(group.runs.flatMap(({ record }) => Object.keys(record.summary.hubPhasesMs)))];
  if (phases.length === 0) return "";
  const header = cells("th", ["label", ...phases.flatMap((phase) => [`${phase} p50 (s)`, "p99"])]);
  const rows = group.runs.map(({ label, record }) => {
    const values = phases.flatMap((phase) => {
      const summary = record.summary.hubPhasesMs[phase];
      return [seconds(summary?.p50 ?? null), seconds(summary?.p99 ?? null)];
    });
    return `<tr>${cells("td", [label, ...values])}</tr>`;
  });
  return `<h3>The Hub's own timings (since its createdAt)</h3><div class="scroll"><table><thead><tr>${header}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function optionsTable(group: RunGroup): string {
  const header = cells("th", [
    "label",
    "Hub",
    "orchestrator",
    "Hub version",
    "options",
    "started",
    "finished",
    "failures",
    "cleanup",
  ]);
  const rows = group.runs.map(({ label, record }) => {
    const failures = Object.entries(record.summary.failuresByCode).map(
      ([code, count]) => `${code} x${count}`,
    );
    const { cleanup } = record;
    const cleanupText = cleanup.kept
      ? "kept"
      : `deleted ${cleanup.deleted}, failed ${cleanup.failed.length}, abandoned ${cleanup.abandonedInFlight}`;
    const before = `${cells("td", [label])}<td class="url">${escapeHtml(record.hub.url)}</td>${cells("td", [record.hub.orchestrator, record.hub.version])}`;
    const after = cells("td", [
      record.startedAt,
      record.finishedAt,
      failures.join(", ") || "none",
      `${cleanupText}${record.interrupted ? " (interrupted)" : ""}`,
    ]);
    return `<tr>${before}<td>${optionsList(record.options)}</td>${after}</tr>`;
  });
  return `<h3>Options of each run</h3><div class="scroll"><table><thead><tr>${header}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

/** A run's options as a short list of name and value, not raw JSON. */
function optionsList(options: object): string {
  const entries = Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => {
      const shown = Array.isArray(value) ? value.join(", ") || "none" : String(value);
      return `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(shown)}</dd>`;
    });
  return `<dl class="options">${entries.join("")}</dl>`;
}

function textHistograms(group: RunGroup): string {
  const blocks = group.runs.map(({ label, record }) => {
    const text = [renderTextHistogram(`${label}: container creation time`, creationTimes(record.samples))];
    if (record.options.scenario === "exec") {
      text.push(
        renderTextHistogram(
          `${label}: average time to exec command in container`,
          commandAverages(record.samples),
        ),
      );
    }
    text.push(...webTextHistograms(label, record.samples));
    return `<pre>${escapeHtml(text.join("\n"))}</pre>`;
  });
  return `<details><summary>Text histograms (the original study's form)</summary>${blocks.join("")}</details>`;
}

function section(group: RunGroup): string {
  const labels = group.runs.map((run) => run.label);
  const creation = group.runs.map(({ label, record }) => ({
    label,
    valuesMs: creationTimes(record.samples),
  }));
  const commands = group.runs.map(({ label, record }) => ({
    label,
    valuesMs: commandAverages(record.samples),
  }));
  const charts = [
    `<figure data-chart="creation"><figcaption>Container creation time (client side, request to ready)</figcaption>${renderEcdfChart("creation time", creation)}</figure>`,
  ];
  if (commands.some((series) => series.valuesMs.length > 0)) {
    charts.push(
      `<figure data-chart="command"><figcaption>Average time of <code>ls /</code> per container</figcaption>${renderEcdfChart("average command time", commands)}</figure>`,
    );
  }
  charts.push(...warmCharts(group), ...webCharts(group));
  return `<section><h2>${escapeHtml(group.title)}</h2>${renderLegend(labels)}<div class="charts">${charts.join("")}</div>${percentilesTable(group)}${warmTable(group)}${webTable(group)}${hubPhasesTable(group)}${optionsTable(group)}${textHistograms(group)}</section>`;
}

export function renderReport(groups: readonly RunGroup[], generatedAt: Date = new Date()): string {
  const runCount = groups.reduce((total, group) => total + group.runs.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Container creation, command and web latency</title><style>${REPORT_STYLE}</style></head>
<body><h1>Container creation and command latency</h1>
<p>${runCount} runs, generated ${escapeHtml(generatedAt.toISOString())}. Curves are empirical CDFs: the share of containers
(y) ready or done within a time (x). Pod-startup SLO: p99 &le; 5 s (sig-scalability). The original study: EKS+EC2 under 10 s,
ECS+Fargate 20-50 s, EKS+Fargate 80-160 s; <code>ls /</code> about 0.2 s.</p>
${groups.map(section).join("\n")}
</body></html>
`;
}
