import { spawn, type ChildProcess } from "node:child_process";
import { chown, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { HubError } from "../../errors.js";
import type { PortTarget } from "../types.js";
import { hostTool } from "./host-tools.js";
import { HOST_TOOLS_ENV, HOST_TOOLS_PATH, SANDBOX_UID, startArguments } from "./sandbox-args.js";
import type { SandboxCgroups } from "./sandbox-cgroups.js";
import type { StartedMeta } from "./sandbox-info.js";
import { killProcessGroup } from "./spawn-helper.js";

// socat prints this at notice level (-d -d) once its listening socket is bound (socat(1), xio-listen.c).
const LISTENING = "listening on";
const START_TIMEOUT_MS = 10_000;
/** sun_path is 108 bytes on Linux (unix(7)); a longer path cannot be bound or connected to. */
const MAX_SOCKET_PATH = 107;

/**
 * Reaches a port inside a local sandbox without opening anything on the host's network: a socat
 * relay in the sandbox's network namespace (entered through its user namespace, as the sandbox's
 * own user, with no capabilities) listens on a unix socket in `<sandbox>/ports/`, a folder only the
 * sandbox's host uid (and root) may enter and that no sandbox can see (HUB_LOCAL_ROOT is hidden in
 * all of them); it dials 127.0.0.1:<port> inside the namespace. The relay stays in the host's pid
 * namespace, so the student's processes cannot see, signal or trace it.
 *
 * Relays are the Hub's children: they die with it (PR_SET_PDEATHSIG) and a restarted Hub starts
 * them again on the first request, so a URL outlives the Hub without anything left behind. Where the
 * sandbox has cgroups, its relays run in a part of them (`relay-<port>`): what a student's traffic
 * costs the relay counts against the sandbox's cpu, memory and pids, not the host's.
 */
export class PortRelays {
  private readonly relays = new Map<string, Promise<Relay>>();

  /** The orchestrator's launcher and cgroups, once its start has built and found them. */
  constructor(private readonly host: () => RelayHost) {}

  /** The socket of a running relay to `port` of the sandbox, started on first use. */
  async target(meta: StartedMeta, sandboxDir: string, port: number): Promise<PortTarget> {
    const key = `${meta.id}:${port}`;
    let relay = this.relays.get(key);
    if (relay === undefined) {
      relay = startRelay(meta, sandboxDir, port, this.host());
      this.relays.set(key, relay);
      relay.then(
        (started) => started.child.once("exit", () => this.forget(key, relay)),
        () => this.forget(key, relay),
      );
    }
    return { kind: "unix", socketPath: (await relay).socketPath };
  }

  /** Ends the relays of a sandbox, and the connections they carry. */
  async stop(id: string): Promise<void> {
    const ours = [...this.relays.entries()].filter(([key]) => key.startsWith(`${id}:`));
    for (const [key] of ours) this.relays.delete(key);
    await Promise.allSettled(ours.map(async ([, relay]) => killGroup((await relay).child)));
  }

  async close(): Promise<void> {
    const all = [...this.relays.values()];
    this.relays.clear();
    await Promise.allSettled(all.map(async (relay) => killGroup((await relay).child)));
  }

  private forget(key: string, relay: Promise<Relay> | undefined): void {
    if (this.relays.get(key) === relay) this.relays.delete(key);
  }
}

interface Relay {
  readonly socketPath: string;
  readonly child: ChildProcess;
}

export interface RelayHost {
  /** hub-launch (launcher.ts): it starts the relay inside the sandbox's cgroups. */
  readonly launcher: string;
  /** Undefined: this host gives sandboxes no cgroups. */
  readonly cgroups: SandboxCgroups | undefined;
}

/** The relay's command: enter the sandbox's user and network namespaces only, drop everything, run socat. */
export function relayArguments(initPid: number, socketPath: string, port: number): [string, ...string[]] {
  return [
    "nsenter",
    `--target=${initPid}`,
    "--user",
    "--net",
    `--setuid=${SANDBOX_UID}`,
    `--setgid=${SANDBOX_UID}`,
    "--",
    "setpriv",
    "--no-new-privs",
    "--inh-caps=-all",
    // Dies with the Hub that started it: a restarted Hub starts its own.
    "--pdeathsig=KILL",
    "--",
    "socat",
    "-d",
    "-d",
    // 128 KiB per transfer instead of socat's 8 KiB: a download moves in 16 times fewer reads, writes and wake-ups (socat(1) -b).
    "-b",
    "131072",
    // unlink-early: a socket left by a relay whose Hub died is replaced.
    `UNIX-LISTEN:${socketPath},fork,unlink-early,mode=600`,
    `TCP:127.0.0.1:${port}`,
  ];
}

async function startRelay(
  meta: StartedMeta,
  sandboxDir: string,
  port: number,
  { launcher, cgroups }: RelayHost,
): Promise<Relay> {
  const folder = join(sandboxDir, "ports");
  const socketPath = join(folder, `${port}.sock`);
  if (socketPath.length > MAX_SOCKET_PATH) {
    throw new HubError(
      "internal",
      `the relay socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes: choose a shorter HUB_LOCAL_ROOT`,
    );
  }
  await mkdir(folder, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  if (meta.hostUid !== undefined) await chown(folder, meta.hostUid, meta.hostUid);
  // A sandbox made before cgroups held has none: its relay runs where the Hub does.
  const cgroupProcs = cgroups?.enter(meta.id, `relay-${port}`) ?? [];
  const [relayProgram, ...relayArgs] = relayArguments(meta.initPid, socketPath, port);
  const [program, ...args] = [
    ...startArguments({ launcher, cgroupProcs }, hostTool(relayProgram, HOST_TOOLS_PATH)),
    ...relayArgs,
  ];
  const child = spawn(program, args, {
    detached: true,
    env: HOST_TOOLS_ENV,
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    await listening(child, child.stderr);
  } catch (error) {
    killGroup(child);
    throw error;
  }
  // socat logs every connection: keep reading, or a full pipe would stall it.
  child.stderr.resume();
  child.unref();
  return { socketPath, child };
}

function listening(child: ChildProcess, stderr: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => fail(`the port relay did not start within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("utf8");
      if (!seen.includes(LISTENING)) return;
      cleanUp();
      resolve();
    };
    const fail = (message: string): void => {
      cleanUp();
      reject(new HubError("internal", `${message}: ${seen.trim().slice(-500)}`));
    };
    const onError = (error: NodeJS.ErrnoException): void =>
      fail(
        error.code === "ENOENT"
          ? "nsenter or socat is missing: install socat (Debian package socat) to reach ports of local sandboxes"
          : `the port relay could not start (${error.message})`,
      );
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`the port relay exited (${signal ?? code}) before listening`);
    const cleanUp = (): void => {
      clearTimeout(timer);
      stderr.off("data", onData);
      child.off("error", onError);
      child.off("exit", onExit);
    };
    stderr.on("data", onData);
    child.once("error", onError);
    child.once("exit", onExit);
  });
}

/** The relay and the per-connection children it forked (its own process group, spawned detached). */
function killGroup(child: ChildProcess): void {
  if (child.exitCode === null) killProcessGroup(child.pid);
}
