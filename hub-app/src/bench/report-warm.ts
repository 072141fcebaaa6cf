/** The report's warm-pool part: claims against cold starts per run, as a chart and a table. */
import { escapeHtml, seconds } from "./html.js";
import type { RunGroup } from "./report-data.js";
import { creationTimesWhere, summarizeWarm } from "./summary.js";
import { renderEcdfChart, renderLegend } from "./svg-chart.js";

/** Runs where a warm pool served at least one create. */
function warmRuns(group: RunGroup): RunGroup["runs"] {
  return group.runs.filter(({ record }) => summarizeWarm(record.samples).claimed > 0);
}

/** Creation time of claims and of cold starts as two curves per run, or nothing when no pool served. */
export function warmCharts(group: RunGroup): string[] {
  const runs = warmRuns(group);
  if (runs.length === 0) return [];
  const series = runs.flatMap(({ label, record }) => [
    { label: `${label} warm`, valuesMs: creationTimesWhere(record.samples, true) },
    { label: `${label} cold`, valuesMs: creationTimesWhere(record.samples, false) },
  ]);
  return [
    `<figure data-chart="warm"><figcaption>Creation time: warm-pool claims against cold starts</figcaption>${renderLegend(series.map((entry) => entry.label))}${renderEcdfChart("creation time", series)}</figure>`,
  ];
}

/** Hit ratio and p50/p99 of both sides per run. */
export function warmTable(group: RunGroup): string {
  const runs = warmRuns(group);
  if (runs.length === 0) return "";
  const names = [
    "label",
    "claimed",
    "cold",
    "hit ratio",
    "claim p50 (s)",
    "p99",
    "max",
    "cold p50 (s)",
    "p99",
    "max",
  ];
  const header = names.map((name) => `<th>${escapeHtml(name)}</th>`).join("");
  const rows = runs.map(({ label, record }) => {
    const warm = summarizeWarm(record.samples);
    const side = (d: typeof warm.claimedCreationMs) => [d.p50, d.p99, d.max].map(seconds);
    const values = [
      label,
      warm.claimed,
      warm.cold,
      warm.hitRatio === null ? "-" : `${Math.round(warm.hitRatio * 100)}%`,
      ...side(warm.claimedCreationMs),
      ...side(warm.coldCreationMs),
    ];
    return `<tr>${values.map((value) => `<td>${escapeHtml(value)}</td>`).join("")}</tr>`;
  });
  return `<h3>Warm pools: claims against cold starts</h3><div class="scroll"><table><thead><tr>${header}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}
