import { dirname, relative, resolve, sep } from "node:path";
import { hostTool } from "./host-tools.js";

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

/** `prlimit` options: process count (per host uid, hence one uid per sandbox) and data segment size. */
export function rlimitArguments(limits: SandboxLimits): string[] {
  const memoryBytes = limits.memoryMiB * 1024 * 1024;
  // RLIMIT_NPROC is counted per host uid: only meaningful when each sandbox has its own uid.
  const nproc =
    limits.hostUid === undefined || limits.maxProcesses === undefined
      ? []
      : [`--nproc=${limits.maxProcesses}`];
  // RLIMIT_DATA, not RLIMIT_AS: V8 and the JVM reserve gigabytes of address space they never use.
  return [hostTool("prlimit", HOST_TOOLS_PATH), ...nproc, `--data=${memoryBytes}`, "--"];
}

/** Drops from root to the sandbox's own host uid before bwrap builds the user namespace. */
export function dropToHostUidArguments(limits: SandboxLimits): string[] {
  if (limits.hostUid === undefined) return [];
  const id = String(limits.hostUid);
  return [hostTool("setpriv", HOST_TOOLS_PATH), `--reuid=${id}`, `--regid=${id}`, "--clear-groups", "--"];
}

/**
 * The whole environment of the host programs that enter a sandbox (prlimit, nsenter, setpriv, run as
 * root by a root Hub). Nothing of a request may reach them: a caller's PATH or LD_PRELOAD would pick the
 * program or library those run, outside the sandbox.
 */
export const HOST_TOOLS_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
export const HOST_TOOLS_ENV: Readonly<Record<string, string>> = { PATH: HOST_TOOLS_PATH };

/**
 * Enters every namespace of a running sandbox as its unprivileged user, with no capabilities
 * and no_new_privs, in `cwd` (absolute inside the sandbox), with exactly `env`: it is set by `env -i`
 * inside the sandbox, so it never touches the host programs on the way in. Four programs
 * (prlimit before it, nsenter, setpriv, env), each started by its absolute path: a shell or
 * a PATH search more would be a third of a short run's time (hub-app/bench/floor.ts).
 */
export function enterArguments(
  initPid: number,
  cwd: string,
  env: Readonly<Record<string, string>>,
): [string, ...string[]] {
  // The sandbox sees the host's / read-only: the host's setpriv is at the same path inside.
  const setpriv = hostTool("setpriv", HOST_TOOLS_PATH);
  return [
    hostTool("nsenter", HOST_TOOLS_PATH),
    `--target=${initPid}`,
    "--user",
    "--mount",
    "--pid",
    "--ipc",
    "--uts",
    "--net",
    `--setuid=${SANDBOX_UID}`,
    `--setgid=${SANDBOX_UID}`,
    "--",
    setpriv,
    "--no-new-privs",
    "--inh-caps=-all",
    "--",
    // The sandbox's own env(1), from its read-only view of the host's /usr/bin. It changes directory
    // as the sandbox's user (nsenter --wd resolves its path before entering the mount namespace),
    // then runs the command from the new PATH (env(1): -i, --chdir; GNU coreutils 8.28 and later).
    "/usr/bin/env",
    "-i",
    `--chdir=${cwd}`,
    "--",
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
  ];
}

/**
 * The command after enterArguments. env(1) takes any leading word holding "=" for a variable to
 * set: a program named so is started through sh, which does not.
 */
export function commandArguments(program: string, args: readonly string[]): string[] {
  return program.includes("=") ? ["/bin/sh", "-c", 'exec "$@"', "sh", program, ...args] : [program, ...args];
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
