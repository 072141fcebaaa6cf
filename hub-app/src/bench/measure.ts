/** A run on a connected Hub, turned into the versioned record that --json writes and `report` reads. */
import { readFileSync } from "node:fs";
import type { CreateRequest, FileUpload } from "./client.js";
import { RUN_FORMAT, type RecordedOptions, type RunRecord } from "./format.js";
import type { ConnectedHub } from "./hub-connection.js";
import { EXEC_REPEATS, WEB_REQUESTS, type SpawnSettings } from "./options.js";
import { runSpawn, type SpawnControls } from "./run-spawn.js";
import { summarize } from "./summary.js";
import { fillWarmPools } from "./warm-pools-wait.js";

/** hub-app/package.json, two levels up from src/bench/ and from dist/bench/ alike. */
function readToolVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return packageJson.version ?? "unknown";
}

export const TOOL = { name: "hub-bench", version: readToolVersion() } as const;

export type MeasureSettings = Omit<SpawnSettings, "hubUrl" | "token" | "jsonPath">;

export function createRequestFor(settings: MeasureSettings): CreateRequest {
  return {
    cpu: settings.cpu,
    memory: settings.memoryMiB,
    ...(settings.image === undefined ? {} : { image: settings.image }),
    ...(settings.placement === undefined ? {} : { placement: settings.placement }),
    ...(settings.ttlSeconds === undefined ? {} : { ttlSeconds: settings.ttlSeconds }),
    ...(settings.app === undefined ? {} : { ports: [settings.app.port] }),
  };
}

function recordedOptions(settings: MeasureSettings): RecordedOptions {
  return {
    count: settings.count,
    intervalMs: settings.intervalMs,
    cpu: settings.cpu,
    memoryMiB: settings.memoryMiB,
    ...(settings.placement === undefined ? {} : { placement: settings.placement }),
    ...(settings.image === undefined ? {} : { image: settings.image }),
    files: settings.files,
    scenario: settings.scenario,
    commandRepeats: settings.scenario === "exec" ? EXEC_REPEATS : 0,
    keep: settings.keep,
    ...(settings.ttlSeconds === undefined ? {} : { ttlSeconds: settings.ttlSeconds }),
    ...(settings.app === undefined ? {} : { app: settings.app, webRequests: WEB_REQUESTS }),
  };
}

/** The label a run gets when none is given: the Hub's host, or "local" for the embedded Hub. */
export function defaultLabel(hub: ConnectedHub): string {
  return hub.identity.embedded ? "local" : new URL(hub.identity.url).host;
}

export async function measure(
  hub: ConnectedHub,
  settings: MeasureSettings,
  files: readonly FileUpload[],
  controls: SpawnControls = {},
): Promise<RunRecord> {
  // A pool still filling would mix claims and cold starts by accident; full, a burst past its size shows both on purpose.
  const create = createRequestFor(settings);
  await fillWarmPools(hub.client, {
    shape: create,
    ...(controls.interrupt === undefined ? {} : { signal: controls.interrupt }),
    ...(controls.onNotice === undefined ? {} : { onNotice: controls.onNotice }),
  });
  const outcome = await runSpawn(
    hub.client,
    {
      count: settings.count,
      intervalMs: settings.intervalMs,
      create,
      files,
      scenario: settings.scenario,
      ...(settings.app === undefined ? {} : { app: settings.app }),
      keep: settings.keep,
      drainTimeoutMs: settings.drainTimeoutMs,
    },
    controls,
  );
  return {
    format: RUN_FORMAT,
    tool: TOOL,
    label: settings.label ?? defaultLabel(hub),
    options: recordedOptions(settings),
    hub: hub.identity,
    startedAt: outcome.startedAt.toISOString(),
    finishedAt: outcome.finishedAt.toISOString(),
    interrupted: outcome.interrupted,
    samples: outcome.samples,
    cleanup: outcome.cleanup,
    summary: summarize(outcome.samples, { ...settings, interrupted: outcome.interrupted }),
  };
}
