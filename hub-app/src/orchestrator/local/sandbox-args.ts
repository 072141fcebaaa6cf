import { dirname, relative, resolve, sep } from "node:path";
import type { CgroupCreation } from "./sandbox-cgroups.js";

/** Where the sandbox's private directories appear inside it. */
export const SANDBOX_HOME = "/home/sandbox";
/** The uid/gid a command sees inside; never root (bwrap --uid/--gid). */
export const SANDBOX_UID = 1000;
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface SandboxLayout {
  readonly workDir: string;
  readonly tmpDir: string;
  /** Host paths covered by an empty tmpfs inside the sandbox (the Hub's files, other sandboxes, homes). */
  readonly hiddenPaths: readonly string[];
  readonly network: "none" | "host";
  readonly hostname: string;
  /** Size of the sandbox's /dev/shm, its one writable RAM-backed folder (the container's memory). */
  readonly shmBytes: number;
  /** No user namespace may be made inside (bwrap --disable-userns, where the host's bwrap has it). */
  readonly disableUserns: boolean;
}

/**
 * The tmpfs that hide host paths are writable by the sandbox's user and, unsized, may grow to half
 * the host's RAM (tmpfs(5)): each gets this much, enough for bwrap's own mount points.
 */
export const HIDING_TMPFS_BYTES = 64 * 1024;

export interface SandboxLimits {
  /** RLIMIT_NPROC; absent when the sandbox's cgroup holds its tasks to pids.max instead. */
  readonly maxProcesses?: number;
  readonly memoryMiB: number;
  /** RLIMIT_FSIZE: no file larger than the sandbox's whole scratch space (scratch-watch.ts bounds the sum). */
  readonly fileBytes?: number;
  /** Run as this host uid/gid (only when the Hub is root); else the Hub's own uid. */
  readonly hostUid?: number;
}

/** Keeps the outermost of `paths` (a path inside another is already covered), never `/` itself. */
export function outermostPaths(paths: readonly string[]): string[] {
  const unique = [...new Set(paths.map((path) => resolve(path)))].filter((path) => path !== sep);
  return unique.filter((path) => !unique.some((other) => other !== path && isInside(path, other))).sort();
}

function isInside(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep);
}

/**
 * The bwrap arguments of a sandbox. Order matters: bwrap applies mounts in order, so the
 * tmpfs that hide host paths come before the binds of the sandbox's own directories.
 */
export function bwrapArguments(layout: SandboxLayout): string[] {
  const hidden = outermostPaths(["/root", "/home", ...layout.hiddenPaths]);
  return [
    "--unshare-user",
    ...(layout.disableUserns ? ["--disable-userns"] : []),
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_UID),
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    ...(layout.network === "none" ? ["--unshare-net"] : []),
    "--hostname",
    layout.hostname,
    "--ro-bind",
    "/",
    "/",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    // bwrap's --size applies to the next --tmpfs (bwrap(1)).
    ...hidden.flatMap((path) => ["--size", String(HIDING_TMPFS_BYTES), "--tmpfs", path]),
    "--size",
    String(layout.shmBytes),
    "--tmpfs",
    "/dev/shm",
    // /dev itself (a tmpfs bwrap makes) needs no writes: its device nodes and /dev/shm are mounts of their own.
    "--remount-ro",
    "/dev",
    "--bind",
    layout.tmpDir,
    "/tmp",
    "--bind",
    layout.workDir,
    SANDBOX_HOME,
    "--chdir",
    SANDBOX_HOME,
    "--clearenv",
    "--setenv",
    "PATH",
    SANDBOX_PATH,
    "--setenv",
    "HOME",
    SANDBOX_HOME,
    "--cap-drop",
    "ALL",
    // setsid: a command cannot push keystrokes into a terminal of the Hub (TIOCSTI).
    "--new-session",
  ];
}

/** Who a launched process runs as and with which limits: what hub-launch (native/hub-launch.c) sets before exec. */
export interface LaunchTarget {
  readonly launcher: string;
  /** None for a port relay: it holds no student code, the sandbox's cgroup bounds it. */
  readonly limits?: SandboxLimits;
  /** The cgroup.procs files it joins first (SandboxCgroups.enter); none without cgroups. */
  readonly cgroupProcs: readonly string[];
  /** start only: the cgroup folders to make and limits to write before joining (SandboxCgroups.creation). */
  readonly cgroupSetup?: Pick<CgroupCreation, "makes" | "writes">;
}

/** The launcher options every launch shares: cgroups, then the process count, data segment and file sizes, the filter. */
function commonOptions({ limits, cgroupProcs }: LaunchTarget): string[] {
  const cgroups = cgroupProcs.map((file) => `--cgroup=${file}`);
  if (limits === undefined) return cgroups;
  // RLIMIT_NPROC is counted per host uid: only meaningful when each sandbox has its own uid.
  const nproc =
    limits.hostUid === undefined || limits.maxProcesses === undefined
      ? []
      : [`--nproc=${limits.maxProcesses}`];
  const fsize = limits.fileBytes === undefined ? [] : [`--fsize=${limits.fileBytes}`];
  // The system call filter of a student's processes (native/hub-launch.c, sandbox_filter).
  return [...cgroups, ...nproc, `--data=${limits.memoryMiB * 1024 * 1024}`, ...fsize, "--seccomp"];
}

/**
 * Starts `program` (an absolute path: bwrap, or nsenter for a port relay) inside the sandbox's cgroups and
 * limits, as the sandbox's own host uid when the Hub is root, before bwrap builds the user namespace.
 */
export function startArguments(target: LaunchTarget, program: string): [string, ...string[]] {
  const hostUid = target.limits?.hostUid;
  const setup = target.cgroupSetup;
  return [
    target.launcher,
    "start",
    ...(setup?.makes ?? []).map((dir) => `--cgroup-make=${dir}`),
    ...(setup?.writes ?? []).map(
      (write) => `--cgroup-write${write.optional ? "-if-present" : ""}=${write.file}=${write.value}`,
    ),
    ...commonOptions(target),
    ...(hostUid === undefined ? [] : [`--host-uid=${hostUid}`]),
    "--",
    program,
  ];
}

/**
 * The whole environment of the host programs that enter a sandbox (the launcher, bwrap, a relay's
 * nsenter, run as root by a root Hub). Nothing of a request may reach them: a caller's PATH or
 * LD_PRELOAD would pick the program or library those run, outside the sandbox.
 */
export const HOST_TOOLS_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
export const HOST_TOOLS_ENV: Readonly<Record<string, string>> = { PATH: HOST_TOOLS_PATH };

/** The running sandbox a command enters: its init, named by pid and start time (a pid may be reused). */
export interface SandboxInit {
  readonly initPid: number;
  readonly initStartTime: string;
}

/**
 * Enters every namespace of a running sandbox as its unprivileged user, with no capabilities and
 * no_new_privs, in `cwd` (absolute inside the sandbox, changed to as that user), with exactly `env`,
 * and runs the command that follows along env's PATH: one launcher process in place of `sh` (the
 * cgroup join), `prlimit`, `nsenter`, `setpriv` and `env`, whose execs were most of a short run's time
 * (hub-app/bench/floor.ts).
 */
export function enterArguments(
  target: LaunchTarget,
  init: SandboxInit,
  cwd: string,
  env: Readonly<Record<string, string>>,
): [string, ...string[]] {
  return [
    target.launcher,
    "enter",
    ...commonOptions(target),
    `--target=${init.initPid}`,
    `--start-time=${init.initStartTime}`,
    `--uid=${SANDBOX_UID}`,
    `--gid=${SANDBOX_UID}`,
    `--cwd=${cwd}`,
    ...Object.entries(env).map(([name, value]) => `--env=${name}=${value}`),
    "--",
  ];
}

/** Absolute path inside the sandbox of a working-directory-relative path (already validated). */
export function insideHome(relativePath: string | undefined): string {
  return relativePath === undefined || relativePath === "" || relativePath === "."
    ? SANDBOX_HOME
    : `${SANDBOX_HOME}/${relativePath}`;
}

/**
 * The outermost directory of the project the Hub runs from (highest ancestor of `start`
 * holding a package.json or .git), hidden from sandboxes so they cannot read the Hub's code or config.
 */
export function projectDirectory(start: string, exists: (path: string) => boolean): string {
  let found = resolve(start);
  for (let dir = resolve(start); dir !== dirname(dir); dir = dirname(dir)) {
    if (exists(`${dir}/package.json`) || exists(`${dir}/.git`)) found = dir;
  }
  return found;
}
