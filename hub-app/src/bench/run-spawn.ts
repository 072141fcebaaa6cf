/**
 * One measured run: creates fired open loop, each container then made ready, given files and (exec scenario)
 * `ls /` 10 times; at the end (also on failure or interrupt) every container created is deleted unless kept.
 */
import { setMaxListeners } from "node:events";
import {
  HubApiError,
  type ContainerView,
  type CreateRequest,
  type FileUpload,
  type HubClient,
} from "./client.js";
import type { CleanupReport, Phase, Sample } from "./format.js";
import { EXEC_COMMAND, EXEC_REPEATS, type Scenario, type WebAppSettings } from "./options.js";
import { realClock, runOpenLoop, type Clock, type Firing } from "./scheduler.js";
import { forEachLimited } from "../concurrency.js";
import { delay, settledOr } from "./settle.js";
import { PageProbe } from "./web-probe.js";
import { serveAndProbe } from "./web-scenario.js";

/** Twice the Hub's default create timeout (HUB_CREATE_TIMEOUT_MS, 300 s), so the Hub's own 504 arrives first. */
const CREATE_TIMEOUT_MS = 600_000;
/** Twice the Hub's default command timeout (HUB_RUN_TIMEOUT_DEFAULT_MS, 30 s). */
const RUN_TIMEOUT_MS = 60_000;
const FILES_TIMEOUT_MS = 120_000;
const DELETE_TIMEOUT_MS = 60_000;
/** Deletes in parallel: enough to clear 1000 containers quickly without a burst the Hub would throttle. */
const DELETE_CONCURRENCY = 32;
/** When a Hub answers a create before the container is ready, how often to ask again. */
const READY_POLL_MS = 250;

export interface SpawnPlan {
  readonly count: number;
  readonly intervalMs: number;
  readonly create: CreateRequest;
  readonly files: readonly FileUpload[];
  readonly scenario: Scenario;
  /** The web scenario's app (its files are among `files`). */
  readonly app?: WebAppSettings;
  readonly keep: boolean;
  readonly drainTimeoutMs: number;
}

export interface Progress {
  readonly total: number;
  readonly fired: number;
  readonly created: number;
  readonly ready: number;
  readonly failed: number;
  readonly inFlight: number;
}

export interface SpawnControls {
  readonly clock?: Clock;
  /** Ctrl-C: stop scheduling and running commands, wait for creates in flight (up to drainTimeoutMs), clean up. */
  readonly interrupt?: AbortSignal;
  /** A second Ctrl-C: stop waiting for creates in flight. */
  readonly force?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** One-line notices for the user (stderr). */
  readonly onNotice?: (line: string) => void;
  /** The Hub answered a create with 400: the request itself is wrong, so every other create would be too. */
  readonly onCreateRefused?: (message: string) => void;
}

export interface SpawnOutcome {
  readonly samples: readonly Sample[];
  readonly interrupted: boolean;
  readonly cleanup: CleanupReport;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** For Hubs that answer a create before the container is ready: poll until running, failed or the deadline. */
async function waitUntilRunning(
  client: HubClient,
  created: ContainerView,
  clock: Clock,
  signal: AbortSignal,
): Promise<ContainerView> {
  const deadline = clock.now() + CREATE_TIMEOUT_MS;
  let current = created;
  while (current.status !== "running") {
    if (current.status === "failed")
      throw new HubApiError("container_failed", current.message ?? "the container failed to start");
    if (clock.now() > deadline)
      throw new HubApiError("client_timeout", `not running after ${CREATE_TIMEOUT_MS} ms`);
    await delay(clock, READY_POLL_MS, signal, "the container");
    current = await client.getContainer(created.id, { timeoutMs: RUN_TIMEOUT_MS, signal });
  }
  return current;
}

function asApiError(error: unknown): HubApiError {
  return error instanceof HubApiError
    ? error
    : new HubApiError("client_error", error instanceof Error ? error.message : String(error));
}

export async function runSpawn(
  client: HubClient,
  plan: SpawnPlan,
  controls: SpawnControls = {},
): Promise<SpawnOutcome> {
  const clock = controls.clock ?? realClock;
  const { interrupt, force } = controls;
  /** Aborted at the drain deadline: every request still open gives up. */
  const giveUp = new AbortController();
  // Every open request listens on it: up to 1000 creates in flight is the design, not a leak.
  setMaxListeners(0, giveUp.signal);
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const liveIds = new Set<string>();
  const counts = { created: 0, ready: 0, failed: 0 };
  const startedAt = new Date();
  const t0 = clock.now();
  const since = (): number => clock.now() - t0;
  const requestOptions = (timeoutMs: number) => ({ timeoutMs, signal: giveUp.signal });
  const probe = new PageProbe();
  const web = {
    client,
    probe,
    clock,
    giveUp: giveUp.signal,
    since,
    ...(interrupt === undefined ? {} : { interrupt }),
  };
  const report = (): void =>
    controls.onProgress?.({ total: plan.count, fired: samples.length, ...counts, inFlight: inFlight.size });

  async function runCommands(sample: Sample, id: string): Promise<void> {
    for (let repeat = 0; repeat < EXEC_REPEATS && interrupt?.aborted !== true; repeat += 1) {
      const sentAt = clock.now();
      const result = await client.run(id, EXEC_COMMAND, requestOptions(RUN_TIMEOUT_MS));
      sample.commands.push({
        clientMs: clock.now() - sentAt,
        ...(result.durationMs === undefined ? {} : { hubMs: result.durationMs }),
        exitCode: result.exitCode,
      });
      if (result.exitCode !== 0) {
        const code = result.timedOut === true ? "command_timeout" : `exit_${result.exitCode}`;
        throw new HubApiError(code, `${EXEC_COMMAND.join(" ")} ended with ${code}`);
      }
    }
  }

  async function drive(firing: Firing): Promise<void> {
    const sample: Sample = { ...firing, status: "in_flight", commands: [] };
    samples.push(sample);
    let phase: Phase = "create";
    try {
      const created = await client.createContainer(plan.create, requestOptions(CREATE_TIMEOUT_MS));
      sample.respondedMs = since();
      sample.id = created.id;
      if (created.warm !== undefined) sample.warm = created.warm;
      liveIds.add(created.id);
      counts.created += 1;
      report();
      phase = "ready";
      const ready = await waitUntilRunning(client, created, clock, giveUp.signal);
      sample.readyMs = created === ready ? sample.respondedMs : since();
      sample.hubTimings = ready.timings ?? created.timings ?? {};
      counts.ready += 1;
      if (plan.files.length > 0) {
        phase = "files";
        const sentAt = clock.now();
        await client.putFiles(created.id, plan.files, requestOptions(FILES_TIMEOUT_MS));
        sample.filesMs = clock.now() - sentAt;
      }
      if (plan.scenario === "exec") {
        phase = "command";
        await runCommands(sample, created.id);
      }
      if (plan.scenario === "web" && plan.app !== undefined) {
        phase = "app";
        await serveAndProbe(web, sample, created.id, plan.app);
      }
      sample.status = "ok";
    } catch (error) {
      const { code, message, httpStatus } = asApiError(error);
      if (phase === "create" && httpStatus === 400) controls.onCreateRefused?.(message);
      sample.status = code === "aborted" ? "aborted" : "failed";
      sample.error = { phase, code, message, ...(httpStatus === undefined ? {} : { httpStatus }) };
      counts.failed += 1;
    } finally {
      sample.finishedMs = since();
    }
  }

  function fire(firing: Firing): void {
    const task = drive(firing).finally(() => {
      inFlight.delete(task);
      report();
    });
    inFlight.add(task);
    report();
  }

  async function drain(): Promise<void> {
    const allDone = await settledOr([...inFlight], [interrupt]);
    if (allDone || inFlight.size === 0) return;
    const seconds = Math.round(plan.drainTimeoutMs / 1000);
    controls.onNotice?.(
      `interrupted: waiting up to ${seconds} s for ${inFlight.size} requests in flight so their containers can be deleted (Ctrl-C again to stop waiting)`,
    );
    await settledOr([...inFlight], [force], plan.drainTimeoutMs);
    giveUp.abort();
    await Promise.allSettled([...inFlight]);
  }

  async function deleteAll(): Promise<Omit<CleanupReport, "abandonedInFlight">> {
    const failed: { id: string; code: string }[] = [];
    let deleted = 0;
    await forEachLimited([...liveIds], DELETE_CONCURRENCY, async (id) => {
      try {
        await client.deleteContainer(id, { timeoutMs: DELETE_TIMEOUT_MS });
        deleted += 1;
      } catch (error) {
        const { code, httpStatus } = asApiError(error);
        // Already gone (the reaper, or a delete that timed out but happened): nothing is left behind.
        if (httpStatus === 404) deleted += 1;
        else failed.push({ id, code });
      }
    });
    return { kept: false, deleted, failed };
  }

  let cleanup: CleanupReport | undefined;
  try {
    await runOpenLoop({
      count: plan.count,
      intervalMs: plan.intervalMs,
      clock,
      t0,
      signal: interrupt,
      onFire: fire,
    });
    await drain();
  } finally {
    giveUp.abort();
    await Promise.allSettled([...inFlight]);
    probe.close();
    const removal = plan.keep ? { kept: true, deleted: 0, failed: [] } : await deleteAll();
    const abandonedInFlight = samples.filter(
      (sample) => sample.status === "aborted" && sample.id === undefined,
    ).length;
    cleanup = { ...removal, abandonedInFlight };
  }
  return { samples, interrupted: interrupt?.aborted === true, cleanup, startedAt, finishedAt: new Date() };
}
