/** Synthetic run records for report tests: known creation and command times, real summaries. */
import { RUN_FORMAT, type RunRecord, type Sample } from "../../src/bench/format.js";
import { summarize } from "../../src/bench/summary.js";

export function makeRecord(
  label: string,
  creationMs: readonly number[],
  options: { count?: number; intervalMs?: number } = {},
): RunRecord {
  const intervalMs = options.intervalMs ?? 100;
  const samples: Sample[] = creationMs.map((ms, index) => ({
    index,
    scheduledMs: index * intervalMs,
    firedMs: index * intervalMs,
    readyMs: index * intervalMs + ms,
    respondedMs: index * intervalMs + ms,
    status: "ok",
    id: `cnt-${label.length}x${index}`,
    hubTimings: { accepted: 5, ready: ms - 10 },
    commands: [{ clientMs: 200, hubMs: 150, exitCode: 0 }],
  }));
  const count = options.count ?? creationMs.length;
  return {
    format: RUN_FORMAT,
    tool: { name: "hub-bench", version: "test" },
    label,
    options: {
      count,
      intervalMs,
      cpu: 0.1,
      memoryMiB: 128,
      files: [],
      scenario: "exec",
      commandRepeats: 10,
      keep: false,
    },
    hub: { url: "http://127.0.0.1:1", version: "v", orchestrator: "fake", embedded: false },
    startedAt: "2025-01-01T00:00:00.000Z",
    finishedAt: "2025-01-01T00:01:00.000Z",
    interrupted: false,
    samples,
    cleanup: { kept: false, deleted: samples.length, failed: [], abandonedInFlight: 0 },
    summary: summarize(samples, { count, intervalMs, interrupted: false }),
  };
}
