/** The end-of-run text: the study's histograms, then percentiles, Hub phases, failures, rate, cleanup, verdict. */
import type { RunRecord } from "./format.js";
import { renderTextHistogram } from "./histogram-text.js";
import type { Distribution } from "./stats.js";
import {
  commandAverages,
  creationTimes,
  creationTimesWhere,
  firstResponseTimes,
  proxiedTimes,
  summarizeWarm,
} from "./summary.js";

const COLUMNS = ["n", "p50", "p90", "p99", "max", "mean"] as const;
const NAME_WIDTH = 26;
const COLUMN_WIDTH = 10;

function row(name: string, cells: readonly string[]): string {
  return name.padEnd(NAME_WIDTH) + cells.map((cell) => cell.padStart(COLUMN_WIDTH)).join("");
}

function distributionRow(name: string, distribution: Distribution, format: (ms: number) => string): string {
  const cell = (value: number | null): string => (value === null ? "-" : format(value));
  const { count, p50, p90, p99, max, mean } = distribution;
  return row(name, [String(count), cell(p50), cell(p90), cell(p99), cell(max), cell(mean)]);
}

const inSeconds = (ms: number): string => (ms / 1000).toFixed(3);
const inMilliseconds = (ms: number): string => ms.toFixed(2);

function hubPhasesLine(record: RunRecord): string {
  const phases = Object.entries(record.summary.hubPhasesMs);
  if (phases.length === 0) return "Hub timings: none reported";
  const parts = phases.map(
    ([phase, { p50, p99 }]) =>
      `${phase} p50 ${p50 === null ? "-" : inSeconds(p50)} p99 ${p99 === null ? "-" : inSeconds(p99)}`,
  );
  return `Hub timings (s since the Hub's createdAt): ${parts.join("; ")}`;
}

/** How many creates a warm pool served; nothing for a Hub that does not say (before warm pools). */
function warmLine(record: RunRecord): string[] {
  const { claimed, cold, hitRatio } = summarizeWarm(record.samples);
  if (hitRatio === null) return [];
  const share = `${Math.round(hitRatio * 100)}%`;
  return [
    `Warm pool: ${claimed} of ${claimed + cold} creates claimed a ready member (${share}), ${cold} started cold`,
  ];
}

function failuresLine(record: RunRecord): string {
  const failures = Object.entries(record.summary.failuresByCode).sort((a, b) => b[1] - a[1]);
  if (failures.length === 0) return "Failures: none";
  return `Failures: ${failures.map(([code, count]) => `${code} x${count}`).join(", ")}`;
}

function rateLine(record: RunRecord): string {
  const {
    achievedCreatesPerSecond: achieved,
    targetCreatesPerSecond: target,
    fired,
    requested,
  } = record.summary;
  const achievedText = achieved === null ? "-" : `${achieved.toFixed(2)}/s`;
  const targetText = target === null ? "as fast as possible" : `${target.toFixed(2)}/s`;
  return `Create rate: ${achievedText} achieved, target ${targetText}; ${fired} of ${requested} creates sent`;
}

function cleanupLine(record: RunRecord): string {
  const { cleanup } = record;
  const parts = [cleanup.kept ? "kept every container (--keep)" : `deleted ${cleanup.deleted}`];
  if (cleanup.failed.length > 0) {
    parts.push(
      `${cleanup.failed.length} could not be deleted (${cleanup.failed.map((failure) => failure.id).join(", ")})`,
    );
  }
  if (cleanup.abandonedInFlight > 0) {
    parts.push(
      `${cleanup.abandonedInFlight} creates abandoned in flight (the Hub's reaper removes them at their TTL)`,
    );
  }
  return `Cleanup: ${parts.join("; ")}`;
}

export function renderSummaryText(record: RunRecord): string {
  const { summary } = record;
  const blocks = [renderTextHistogram("Container creation time", creationTimes(record.samples))];
  const warm = summarizeWarm(record.samples);
  // Side by side only when both happened: a run all warm or all cold has one histogram already.
  const mixed = warm.claimed > 0 && warm.cold > 0;
  if (mixed) {
    blocks.push(
      renderTextHistogram("Creation time, warm-pool claims", creationTimesWhere(record.samples, true)),
      renderTextHistogram("Creation time, cold starts", creationTimesWhere(record.samples, false)),
    );
  }
  if (record.options.scenario === "exec") {
    blocks.push(
      renderTextHistogram("Average time to exec command in container", commandAverages(record.samples)),
    );
  }
  const web = record.options.scenario === "web";
  if (web) {
    blocks.push(
      renderTextHistogram("Time to first response through the Hub", firstResponseTimes(record.samples)),
      renderTextHistogram("Proxied request latency (GET through the port URL)", proxiedTimes(record.samples)),
    );
  }
  const table = [
    row("(seconds)", [...COLUMNS]),
    distributionRow("creation (client)", summary.creationMs, inSeconds),
    ...(warm.claimed > 0
      ? [
          distributionRow("  of which warm claims", warm.claimedCreationMs, inSeconds),
          distributionRow("  of which cold starts", warm.coldCreationMs, inSeconds),
        ]
      : []),
    ...(record.options.scenario === "exec"
      ? [
          distributionRow("command avg (client)", summary.commandAverageMs, inSeconds),
          distributionRow("command (Hub durationMs)", summary.commandHubMs, inSeconds),
        ]
      : []),
    ...(web
      ? [
          distributionRow("first response (client)", summary.firstResponseMs, inSeconds),
          distributionRow("proxied GET (client)", summary.proxiedMs, inSeconds),
        ]
      : []),
    distributionRow("scheduler lag (ms)", summary.schedulerLagMs, inMilliseconds),
  ];
  const lines = [
    `${record.label}: ${record.options.count} containers every ${record.options.intervalMs} ms, scenario ${record.options.scenario}, Hub ${record.hub.url} (${record.hub.orchestrator} ${record.hub.version})`,
    ...table,
    ...warmLine(record),
    hubPhasesLine(record),
    failuresLine(record),
    rateLine(record),
    cleanupLine(record),
    summary.verdict.text,
  ];
  return [...blocks, ...lines].join("\n") + "\n";
}
