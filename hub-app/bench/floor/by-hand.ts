/**
 * The floor: the same isolation done by hand, with nothing of the Hub in the way. A sandbox is
 * the exact bwrap command line a Hub sandbox runs with (read from /proc), started under util-linux's
 * prlimit and setpriv with the same limits and uid (what the Hub's launcher does in one process) and
 * waited for its ready line; a run is the Hub's own argv for entering a sandbox, or a bare `nsenter`
 * into it.
 */
import { spawn } from "node:child_process";
import { chown, mkdir, readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import {
  enterArguments,
  HOST_TOOLS_ENV,
  SANDBOX_HOME,
  SANDBOX_PATH,
  SANDBOX_UID,
  type SandboxLimits,
} from "../../src/orchestrator/local/sandbox-args.js";

/** What the benchmark reads of a Hub sandbox's meta.json. */
export interface HubSandbox {
  readonly id: string;
  readonly initPid: number;
  readonly initStartTime: string;
  readonly memoryMiB: number;
  readonly hostUid?: number;
  readonly env: Record<string, string>;
}

export async function readHubSandbox(root: string, id: string): Promise<HubSandbox> {
  return JSON.parse(await readFile(join(root, id, "meta.json"), "utf8")) as HubSandbox;
}

/** HUB_LOCAL_MAX_PROCESSES's default: the floor's sandboxes get the same rlimits. */
const MAX_PROCESSES = 256;

function limitsOf(sandbox: { memoryMiB: number; hostUid?: number }): SandboxLimits {
  return {
    maxProcesses: MAX_PROCESSES,
    memoryMiB: sandbox.memoryMiB,
    ...(sandbox.hostUid === undefined ? {} : { hostUid: sandbox.hostUid }),
  };
}

/** Starts argv, drains its output, resolves with its exit code once it exited and its pipes closed. */
export function runToEnd(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<number | null> {
  const [program, ...args] = argv as [string, ...string[]];
  const child = spawn(program, args, { env: { ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.resume();
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
}

/** The argv the Hub runs for POST /run of `command` in its home folder (orchestrator.ts's run), joining `cgroupProcs`. */
export function hubRunArgv(
  launcher: string,
  sandbox: HubSandbox,
  command: readonly string[],
  cgroupProcs: readonly string[] = [],
): string[] {
  const env = { PATH: SANDBOX_PATH, HOME: SANDBOX_HOME, LANG: "C.UTF-8", ...sandbox.env };
  return [
    ...enterArguments({ launcher, limits: limitsOf(sandbox), cgroupProcs }, sandbox, SANDBOX_HOME, env),
    ...command,
  ];
}

/** A Hub sandbox's cgroup in one hierarchy; `holdsParts`: the hierarchy where its init and runs have folders of their own. */
export interface SandboxCgroup {
  readonly dir: string;
  readonly holdsParts: boolean;
}

/**
 * The cgroup folders of a Hub sandbox, from its keeper's /proc/<pid>/cgroup under the hierarchies
 * mounted in /sys/fs/cgroup: `<id>/init` where the Hub makes parts (the kill hierarchy), `<id>`
 * elsewhere (sandbox-cgroups.ts, enter); empty without cgroups.
 */
export async function sandboxCgroups(sandbox: HubSandbox): Promise<SandboxCgroup[]> {
  const lines = (await readFile(`/proc/${sandbox.initPid}/cgroup`, "utf8")).trim().split("\n");
  return lines.flatMap((line) => {
    const [, controllers, path] = line.split(":") as [string, string, string];
    const holdsParts = path.endsWith(`/${sandbox.id}/init`);
    if (!holdsParts && !path.endsWith(`/${sandbox.id}`)) return [];
    const mount =
      controllers === "" ? "/sys/fs/cgroup" : `/sys/fs/cgroup/${controllers.replace(/^name=/, "")}`;
    return [{ dir: `${mount}${holdsParts ? path.slice(0, -"/init".length) : path}`, holdsParts }];
  });
}

let runCgroupSerial = 0;

/** Runs `call` with a fresh run cgroup (as the Hub makes one per run), removed after; the cgroup.procs files to join. */
export async function inRunCgroup<T>(
  cgroups: readonly SandboxCgroup[],
  call: (procsFiles: string[]) => Promise<T>,
): Promise<T> {
  const part = `run-floor-${runCgroupSerial}`;
  runCgroupSerial++;
  const made = cgroups.filter((cgroup) => cgroup.holdsParts).map((cgroup) => join(cgroup.dir, part));
  for (const dir of made) await mkdir(dir);
  try {
    return await call(
      cgroups.map((cgroup) => join(cgroup.holdsParts ? join(cgroup.dir, part) : cgroup.dir, "cgroup.procs")),
    );
  } finally {
    for (const dir of made) await rmdir(dir).catch(() => undefined);
  }
}

/** `nsenter` into every namespace of the sandbox as its user, then the command: nothing else. */
export function bareNsenterArgv(sandbox: HubSandbox, command: readonly string[]): string[] {
  const target = `--target=${sandbox.initPid}`;
  const user = [`--setuid=${SANDBOX_UID}`, `--setgid=${SANDBOX_UID}`];
  return [
    "/usr/bin/nsenter",
    target,
    "--user",
    "--mount",
    "--pid",
    "--ipc",
    "--uts",
    "--net",
    ...user,
    "--",
    ...command,
  ];
}

export const HOST_ENV = HOST_TOOLS_ENV;
export const SANDBOX_ENV = { PATH: SANDBOX_PATH };

/** The outer bwrap's argv of a Hub sandbox (the parent of its init), NUL-separated in /proc/<pid>/cmdline. */
export async function bwrapCommandLine(initPid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${initPid}/stat`, "utf8");
  const parent = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
  const argv = (await readFile(`/proc/${parent}/cmdline`, "utf8")).split("\0").slice(0, -1);
  if (!(argv[0] ?? "").endsWith("bwrap"))
    throw new Error(`the parent of ${initPid} is not bwrap: ${argv[0]}`);
  return argv;
}

export interface HandSandbox {
  readonly initPid: number;
  /** SIGKILLs the sandbox's init (pid 1 of its pid namespace) at once and resolves once bwrap has exited. */
  kill(): Promise<void>;
}

/**
 * Creates a sandbox by hand: its folders (owned by its uid), then prlimit → setpriv → the template's
 * bwrap with this sandbox's folders and hostname; resolves once bwrap reported the init's pid and
 * the keeper printed its ready line, as the Hub waits.
 */
const FILTER_FD = 4;

export async function createByHand(
  template: {
    argv: readonly string[];
    hubDir: string;
    hubId: string;
    memoryMiB: number;
    /** `hub-launch seccomp-filter`, base64, when the Hub's bwrap takes one (`--seccomp FD`). */
    seccompFilter?: string;
  },
  dir: string,
  id: string,
  hostUid: number,
): Promise<HandSandbox> {
  await mkdir(dir, { mode: 0o711 });
  await Promise.all(["work", "tmp"].map((name) => mkdir(join(dir, name), { mode: 0o700 })));
  await Promise.all(["work", "tmp"].map((name) => chown(join(dir, name), hostUid, hostUid)));
  const bwrap = template.argv.map((arg) =>
    arg.startsWith(`${template.hubDir}/`)
      ? dir + arg.slice(template.hubDir.length)
      : arg === template.hubId
        ? id
        : arg,
  );
  // The same filter, read by bwrap from fd 4 here (the Hub's launcher hands it a memfd).
  const filterAt = bwrap.indexOf("--seccomp");
  if (filterAt >= 0) bwrap[filterAt + 1] = String(FILTER_FD);
  const limits = [`--nproc=${MAX_PROCESSES}`, `--data=${template.memoryMiB * 1024 * 1024}`];
  const uid = [`--reuid=${hostUid}`, `--regid=${hostUid}`, "--clear-groups"];
  const argv = ["/usr/bin/prlimit", ...limits, "--", "/usr/bin/setpriv", ...uid, "--", ...bwrap] as [
    string,
    ...string[],
  ];
  const child = spawn(argv[0], argv.slice(1), {
    detached: true,
    env: { ...HOST_TOOLS_ENV },
    stdio: ["ignore", "pipe", "inherit", "pipe", "pipe"],
  });
  const filter = child.stdio[FILTER_FD] as Writable;
  filter.end(filterAt >= 0 ? Buffer.from(template.seccompFilter ?? "", "base64") : undefined);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const [initPid] = await Promise.all([
    childPid(child.stdio[3] as Readable),
    line(child.stdout!, "sandbox-ready"),
  ]);
  // A thousand sandboxes must not hold two thousand pipes: only the exit is awaited from here on.
  child.stdout?.destroy();
  (child.stdio[3] as Readable).destroy();
  child.unref();
  return {
    initPid,
    async kill() {
      process.kill(initPid, "SIGKILL");
      await exited;
    },
  };
}

function childPid(stream: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    });
    stream.once("end", () => reject(new Error(`bwrap gave no child-pid: ${text}`)));
  });
}

function line(stream: Readable, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    stream.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen.includes(expected)) resolve();
    });
    stream.once("end", () => reject(new Error("the sandbox exited before it was ready")));
  });
}
