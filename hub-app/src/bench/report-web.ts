/** The report's web-scenario part: time to first response and proxied GET latency, as charts, a table and text histograms. */
import { renderTextHistogram } from "./histogram-text.js";
import { escapeHtml, seconds } from "./html.js";
import type { RunGroup } from "./report-data.js";
import { describe } from "./stats.js";
import { firstResponseTimes, proxiedTimes } from "./summary.js";
import { renderEcdfChart } from "./svg-chart.js";

function webRuns(group: RunGroup): RunGroup["runs"] {
  return group.runs.filter(({ record }) => firstResponseTimes(record.samples).length > 0);
}

/** The two ECDF figures, or nothing when no run of the group served an app. */
export function webCharts(group: RunGroup): string[] {
  const runs = webRuns(group);
  if (runs.length === 0) return [];
  const first = runs.map(({ label, record }) => ({ label, valuesMs: firstResponseTimes(record.samples) }));
  const proxied = runs.map(({ label, record }) => ({ label, valuesMs: proxiedTimes(record.samples) }));
  return [
    `<figure data-chart="first-response"><figcaption>Time to first response (create sent to the app's first 200 through the Hub)</figcaption>${renderEcdfChart("time to first response", first)}</figure>`,
    `<figure data-chart="proxied"><figcaption>Proxied request latency (each GET through the port URL)</figcaption>${renderEcdfChart("proxied GET", proxied)}</figure>`,
  ];
}

/** p50/p90/p99/max of both figures per run. */
export function webTable(group: RunGroup): string {
  const runs = webRuns(group);
  if (runs.length === 0) return "";
  const names = [
    "label",
    "apps",
    "first response p50 (s)",
    "p90",
    "p99",
    "max",
    "GETs",
    "proxied GET p50 (s)",
    "p90",
    "p99",
    "max",
  ];
  const header = names.map((name) => `<th>${escapeHtml(name)}</th>`).join("");
  const rows = runs.map(({ label, record }) => {
    const first = describe(firstResponseTimes(record.samples));
    const proxied = describe(proxiedTimes(record.samples));
    const values = [
      label,
      first.count,
      ...[first.p50, first.p90, first.p99, first.max].map(seconds),
      proxied.count,
      ...[proxied.p50, proxied.p90, proxied.p99, proxied.max].map(seconds),
    ];
    return `<tr>${values.map((value) => `<td>${escapeHtml(value)}</td>`).join("")}</tr>`;
  });
  return `<h3>Students' web servers through the Hub</h3><div class="scroll"><table><thead><tr>${header}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

export function webTextHistograms(
  label: string,
  samples: Parameters<typeof firstResponseTimes>[0],
): string[] {
  if (firstResponseTimes(samples).length === 0) return [];
  return [
    renderTextHistogram(`${label}: time to first response through the Hub`, firstResponseTimes(samples)),
    renderTextHistogram(`${label}: proxied request latency`, proxiedTimes(samples)),
  ];
}
