import { HubError, notFound } from "../../errors.js";
import type { ContainerInfo } from "../types.js";
import type { SandboxMeta } from "./meta.js";
import { isSameProcessAlive, processStartTimeNow } from "./process-info.js";
import { exitOf } from "./sandbox-exits.js";
import { waitUntilGone } from "./wait-until-gone.js";

const KILL_WAIT_MS = 10_000;

/** A sandbox whose init was recorded: commands can enter it. */
export type StartedMeta = SandboxMeta & { initPid: number; initStartTime: string };

/** Whether the init recorded in meta.json is still that same process (a pid is trusted only with its start time). */
export async function isAlive(meta: SandboxMeta): Promise<boolean> {
  return (
    meta.initPid !== undefined &&
    meta.initStartTime !== undefined &&
    (await isSameProcessAlive(meta.initPid, meta.initStartTime))
  );
}

/**
 * The sandbox as the API shows it: `pending` until its init is recorded, `failed` once it has gone
 * (by `alive`: the exact check unless the caller has a cheaper one).
 */
export async function sandboxInfo(
  meta: SandboxMeta,
  hostNetwork: boolean,
  alive: (meta: StartedMeta) => boolean | Promise<boolean> = isAlive,
): Promise<ContainerInfo> {
  if (meta.failure !== undefined) return infoOf(meta, hostNetwork, "failed", meta.failure);
  if (meta.initPid === undefined || meta.initStartTime === undefined)
    return infoOf(meta, hostNetwork, "pending");
  if (!(await alive(meta as StartedMeta)))
    return infoOf(meta, hostNetwork, "failed", "the sandbox's processes have exited");
  // A meta is never changed, only replaced (container-index.ts): its running info is made once.
  const cached = runningInfos.get(meta);
  if (cached?.hostNetwork === hostNetwork) return cached.info;
  const info = infoOf(meta, hostNetwork, "running");
  runningInfos.set(meta, { hostNetwork, info });
  return info;
}

/** What a running sandbox's meta reads as, kept while the meta is: a list of a thousand builds none again. */
const runningInfos = new WeakMap<SandboxMeta, { hostNetwork: boolean; info: ContainerInfo }>();

/**
 * One object literal of a fixed shape, its optional fields set after: a list of a thousand builds a
 * thousand, and spreading a base object into each took 7 ms of a 29 ms list (hub-app/bench/floor.ts).
 */
function infoOf(
  meta: SandboxMeta,
  hostNetwork: boolean,
  status: "pending" | "running" | "failed",
  message?: string,
): ContainerInfo {
  const info: { -readonly [K in keyof ContainerInfo]: ContainerInfo[K] } = {
    id: meta.id,
    status,
    placement: "local",
    image: meta.image,
    cpu: meta.cpu,
    memory: meta.memoryMiB,
    ports: meta.ports,
    createdAt: meta.createdAt,
    expiresAt: meta.expiresAt,
    timings: meta.timings,
  };
  if (hostNetwork) info.ip = "127.0.0.1";
  if (status === "running" && meta.readyAt !== undefined) info.readyAt = meta.readyAt;
  if (message !== undefined) info.message = message;
  return info;
}

/** The meta of a sandbox that can take commands now; 404 when there is none, 409 when it is not running. */
export function requireRunning(id: string, meta: SandboxMeta | undefined, alive: boolean): StartedMeta {
  if (meta === undefined) throw notFound(id);
  if (!alive) throw new HubError("conflict", `container ${id} is not running`);
  return meta as StartedMeta;
}

/** Kills every process of the sandbox and waits until its init is gone (its exit event when this process launched it). */
export async function killSandbox(meta: SandboxMeta): Promise<void> {
  if (sendKill(meta)) await waitForExit(meta as StartedMeta);
}

/**
 * SIGKILLs the sandbox's init; false when it was not running (or its pid now names another process).
 * A SIGKILL cannot be caught or blocked, and as the init of a pid namespace exits the kernel kills
 * every other process in it, and refuses forks into it from then on (pid_namespaces(7)): once this
 * returns true the sandbox is ending, whatever its processes do.
 */
export function sendKill(meta: SandboxMeta): boolean {
  if (meta.initPid === undefined || meta.initStartTime === undefined) return false;
  // Checked right before the kill: a recycled pid must not be killed.
  if (processStartTimeNow(meta.initPid) !== meta.initStartTime) return false;
  try {
    process.kill(meta.initPid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

/** Waits until a killed sandbox's init is gone: its exit event when this process launched it, else /proc. */
export async function waitForExit(meta: StartedMeta): Promise<void> {
  const exited = exitOf(meta.initPid);
  // No exit event to wait for (another Hub's sandbox, or the helper died): poll /proc.
  if (exited === undefined || !(await withTimeout(exited, KILL_WAIT_MS)))
    await waitUntilGone(meta.initPid, meta.initStartTime, KILL_WAIT_MS);
}

/** The exit's answer, or true at the timeout (waited long enough: the cgroup's removal kills what is left). */
async function withTimeout(exited: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
  try {
    return await Promise.race([exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
