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

/** A web-scenario run: each app's first 200 `firstResponseMs[i]` after its create, and the given GET times. */
export function makeWebRecord(
  label: string,
  firstResponseMs: readonly number[],
  proxiedMs: readonly number[],
): RunRecord {
  const base = makeRecord(
    label,
    firstResponseMs.map(() => 500),
  );
  const samples = base.samples.map((sample, index) => ({
    ...sample,
    commands: [],
    firstResponseMs: sample.firedMs + (firstResponseMs[index] ?? 0),
    proxiedMs: [...proxiedMs],
  }));
  const { count, intervalMs } = base.options;
  return {
    ...base,
    options: {
      ...base.options,
      scenario: "web",
      commandRepeats: 0,
      app: { start: "s", port: 8000 },
      webRequests: proxiedMs.length,
    },
    samples,
    summary: summarize(samples, { count, intervalMs, interrupted: false }),
  };
}

/** A run on a Hub with a warm pool: `warm[i]` says whether create i was a claim; claims take `claimMs`. */
export function makeWarmRecord(
  label: string,
  warm: readonly boolean[],
  times: { claimMs: number; coldMs: number },
): RunRecord {
  const base = makeRecord(
    label,
    warm.map((claimed) => (claimed ? times.claimMs : times.coldMs)),
  );
  const samples = base.samples.map((sample, index) => ({ ...sample, warm: warm[index] ?? false }));
  const { count, intervalMs } = base.options;
  return { ...base, samples, summary: summarize(samples, { count, intervalMs, interrupted: false }) };
}
