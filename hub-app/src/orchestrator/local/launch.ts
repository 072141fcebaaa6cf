import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { hostTool } from "./host-tools.js";
import { spawner } from "./run-process.js";
import {
  bwrapArguments,
  HOST_TOOLS_ENV,
  HOST_TOOLS_PATH,
  startArguments,
  type LaunchTarget,
  type SandboxLayout,
} from "./sandbox-args.js";

export interface LaunchedSandbox {
  /** Host pid of the sandbox's init (pid 1 inside). */
  readonly initPid: number;
  /** ms from launch to bwrap reporting the pid. */
  readonly startedMs: number;
  /** ms from launch to the keeper running inside the finished sandbox. */
  readonly readyMs: number;
  /**
   * Resolves true when the sandbox has exited (its outer bwrap, the spawn helper's child, waits for
   * its init); false when the helper died first and nobody can tell (then poll /proc).
   */
  readonly exited: Promise<boolean>;
}

const READY_LINE = "sandbox-ready";
const BWRAP_LOG = "bwrap.log";

/**
 * Starts a sandbox that outlives the Hub: its init keeps the namespaces alive until it is
 * killed. It is detached (own session, no --die-with-parent) so a restarted Hub finds it running.
 * Started by the spawn helper (spawn-helper.ts), not a fork of the Hub (9 ms at 137 MiB here, docs/measurements.md).
 *
 * Readiness: bwrap's --info-fd reports the pid right after clone(), before the mounts are
 * done; the keeper printing a line proves the sandbox is complete, so both are awaited.
 */
export async function launchSandbox(
  sandboxDir: string,
  layout: SandboxLayout,
  /** The launcher that joins the sandbox's cgroups, sets its limits and drops to its host uid, then starts bwrap. */
  target: LaunchTarget,
  timeoutMs: number,
): Promise<LaunchedSandbox> {
  const started = performance.now();
  const command = [
    ...startArguments(target, hostTool("bwrap", HOST_TOOLS_PATH)),
    ...bwrapArguments(layout),
    "--info-fd",
    "3",
    "--",
    "/bin/sh",
    "-c",
    `echo ${READY_LINE}; exec sleep infinity`,
  ];
  const child = spawner.spawn(command, HOST_TOOLS_ENV, {
    maxOutputBytes: 64 * 1024,
    stderrFile: join(sandboxDir, BWRAP_LOG),
    info: true,
  });
  const exited = new Promise<boolean>((resolve) => {
    child.once("exit", () => resolve(true));
    child.once("error", () => resolve(false));
  });
  try {
    const [info, readyAt] = await withDeadline(
      Promise.all([readChildPid(child.info!), waitForLine(child.stdout, READY_LINE)]),
      timeoutMs,
      new Promise<never>((_, reject) => {
        child.once("error", reject);
        child.once("exit", (code: number | null, signal: NodeJS.Signals | null) =>
          reject(new Error(`bwrap exited (${signal ?? code}) before the sandbox was ready`)),
        );
      }),
    );
    return { initPid: info.pid, startedMs: info.at - started, readyMs: readyAt - started, exited };
  } catch (error) {
    child.killGroup();
    const detail = (await readFile(join(sandboxDir, BWRAP_LOG), "utf8").catch(() => "")).trim();
    throw new Error(detail ? `${(error as Error).message}: ${detail}` : (error as Error).message, {
      cause: error,
    });
  } finally {
    child.stdout.destroy();
    child.info?.destroy();
    child.unref();
  }
}

/** bwrap writes `{"child-pid": N, ...}` to --info-fd; resolves with N as soon as it is complete. */
function readChildPid(stream: Readable): Promise<{ pid: number; at: number }> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid"\s*:\s*(\d+)\s*[,}]/.exec(text);
      if (match?.[1] !== undefined) resolve({ pid: Number(match[1]), at: performance.now() });
    });
    stream.once("end", () => reject(new Error(`bwrap --info-fd gave no child-pid: ${text}`)));
  });
}

/** Resolves with the time `line` arrived. */
function waitForLine(stream: Readable, line: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    stream.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen.includes(line)) resolve(performance.now());
    });
    stream.once("end", () => reject(new Error("the sandbox exited before it was ready")));
  });
}

function withDeadline<T>(work: Promise<T>, timeoutMs: number, failure: Promise<never>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the sandbox was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, deadline, failure]).finally(() => clearTimeout(timer));
}
