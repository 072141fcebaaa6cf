import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLauncher, findLauncherSource } from "../../src/orchestrator/local/launcher.js";
import { processStartTime } from "../../src/orchestrator/local/process-info.js";
import { bwrapArguments, SANDBOX_HOME, startArguments } from "../../src/orchestrator/local/sandbox-args.js";

/**
 * hub-launch (native/hub-launch.c) on its own, against a real bubblewrap sandbox it started itself:
 * what each step leaves in /proc, and how each failure is reported. The orchestrator's tests cover
 * it through the Hub.
 */
const root = process.getuid?.() === 0;
/** A host uid of the sandbox's own, as a root Hub gives each (host-uids.ts starts at 1.5e9). */
const HOST_UID = 1_399_000_007;

let dir: string;
let launcher: string;
let init: { pid: number; startTime: string; stop: () => Promise<void> };
let launcherPid: number;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function launch(args: readonly string[]): Promise<Outcome> {
  const child = spawn(launcher, args, { stdio: ["ignore", "pipe", "pipe"], env: {} });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const enterOptions = (): string[] => [
  `--target=${init.pid}`,
  `--start-time=${init.startTime}`,
  "--uid=1000",
  "--gid=1000",
];
const enter = (options: readonly string[], command: readonly string[]): Promise<Outcome> =>
  launch(["enter", ...enterOptions(), ...options, "--", ...command]);

/** Reads bwrap's --info-fd JSON up to the child's pid. */
function childPid(stream: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    });
    stream.once("end", () => reject(new Error(`no child-pid in ${text}`)));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hub-launch-"));
  launcher = await buildLauncher({ cacheDir: join(dir, "cache") });
  // The sandbox's host uid passes through to its folders; both are its own, as a Hub's sandbox has them.
  await chmod(dir, 0o711);
  const [work, tmp] = [join(dir, "work"), join(dir, "tmp")];
  for (const folder of [work, tmp]) {
    await mkdir(folder);
    await chmod(folder, 0o777);
  }
  // A program whose name holds "=": env(1) would take it for a variable.
  await writeFile(join(work, "x=y"), "#!/bin/sh\necho ran x=y\n", { mode: 0o755 });
  // Root's own, mode 0700: the sandbox's user may not enter it.
  await mkdir(join(tmp, "private"), { mode: 0o700 });
  // A regular file stands in for a cgroup.procs: the launcher writes its pid there first.
  await writeFile(join(dir, "cgroup.procs"), "", { mode: 0o666 });
  // A Hub sandbox's own bwrap arguments (sandbox-args.ts), hiding this test's folder.
  const layout = {
    workDir: work,
    tmpDir: tmp,
    hiddenPaths: [dir],
    network: "none" as const,
    hostname: "cnt-launch",
    shmBytes: 1 << 20,
    disableUserns: true,
  };
  const limits = {
    maxProcesses: 200,
    memoryMiB: 512,
    fileBytes: 1 << 30,
    ...(root ? { hostUid: HOST_UID } : {}),
  };
  const start = startArguments(
    { launcher, limits, cgroupProcs: [join(dir, "cgroup.procs")] },
    "/usr/bin/bwrap",
  );
  const keeper = ["--info-fd", "3", "--", "/bin/sleep", "infinity"];
  const child = spawn(launcher, [...start.slice(1), ...bwrapArguments(layout), ...keeper], {
    stdio: ["ignore", "ignore", "inherit", "pipe"],
    env: { PATH: "/usr/bin:/bin" },
  });
  launcherPid = child.pid!;
  const pid = await childPid(child.stdio[3] as Readable);
  const startTime = await processStartTime(pid);
  if (startTime === undefined) throw new Error("the test sandbox's init exited");
  init = {
    pid,
    startTime,
    stop: async () => {
      process.kill(pid, "SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    },
  };
});

afterAll(async () => {
  await init?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("hub-launch start", () => {
  it("joins the cgroups, sets the limits and (as root) drops to the sandbox's host uid, then is bwrap", async () => {
    // start execs bwrap: the same process, so its pid is the one written to cgroup.procs.
    expect(await readFile(join(dir, "cgroup.procs"), "utf8")).toBe(String(launcherPid));
    expect((await readFile(`/proc/${launcherPid}/cmdline`, "utf8")).split("\0")[0]).toBe("/usr/bin/bwrap");
    const limits = await readFile(`/proc/${launcherPid}/limits`, "utf8");
    expect(limits).toMatch(/Max processes\s+200\s+200/);
    expect(limits).toMatch(new RegExp(`Max data size\\s+${512 * 1024 * 1024}\\s+${512 * 1024 * 1024}`));
    expect(limits).toMatch(new RegExp(`Max file size\\s+${1 << 30}\\s+${1 << 30}`));
    const status = await readFile(`/proc/${launcherPid}/status`, "utf8");
    if (root) {
      expect(status).toMatch(new RegExp(`Uid:\\s+${HOST_UID}\\s+${HOST_UID}\\s+${HOST_UID}\\s+${HOST_UID}`));
      expect(status).toMatch(new RegExp(`Gid:\\s+${HOST_UID}\\s+${HOST_UID}\\s+${HOST_UID}\\s+${HOST_UID}`));
      expect(status).toMatch(/Groups:\s*\n/);
      expect(status).toMatch(/CapEff:\s+0+\n/);
    }
  });

  it("joins a v1 hierarchy through its tasks file as itself ('0'), a v2 one through cgroup.procs", async () => {
    // Regular files stand in for the two layouts; the real kernel's are in cgroups.test.ts.
    const [v1, v2] = [join(dir, "v1"), join(dir, "v2")];
    for (const folder of [v1, v2]) {
      await mkdir(folder);
      await writeFile(join(folder, "cgroup.procs"), "");
    }
    await writeFile(join(v1, "tasks"), "");
    const cgroups = [`--cgroup=${join(v1, "cgroup.procs")}`, `--cgroup=${join(v2, "cgroup.procs")}`];
    const outcome = await launch(["start", ...cgroups, "--", "/bin/sh", "-c", "echo $$"]);
    expect(outcome).toMatchObject({ code: 0, stderr: "" });
    expect(await readFile(join(v1, "tasks"), "utf8")).toBe("0");
    expect(await readFile(join(v1, "cgroup.procs"), "utf8")).toBe("");
    expect(await readFile(join(v2, "cgroup.procs"), "utf8")).toBe(outcome.stdout.trim());
  });

  it("refuses a relative program and says so, running nothing", async () => {
    const outcome = await launch(["start", "--", "bwrap", "--version"]);
    expect(outcome).toMatchObject({ code: 125, stdout: "" });
    expect(outcome.stderr).toMatch(/start takes an absolute program path, got 'bwrap'/);
  });
});

describe("hub-launch enter", () => {
  it("runs as the sandbox's user with no capability, no bounding set, no groups and no_new_privs", async () => {
    const outcome = await enter(
      ["--cwd=/", "--env=PATH=/usr/bin:/bin"],
      ["sh", "-c", "id -u; id -g; grep -E '^(Cap|NoNewPrivs|Groups)' /proc/self/status"],
    );
    expect(outcome.code).toBe(0);
    const [uid, gid, ...status] = outcome.stdout.trim().split("\n");
    expect([uid, gid]).toEqual(["1000", "1000"]);
    for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"])
      expect(status).toContainEqual(expect.stringMatching(new RegExp(`^${set}:\\s+0{16}$`)));
    expect(status).toContainEqual(expect.stringMatching(/^NoNewPrivs:\s+1$/));
    expect(status).toContainEqual(expect.stringMatching(/^Groups:\s*$/));
  });

  it("is inside every namespace of the sandbox: its pid 1, its network", async () => {
    const outcome = await enter(
      ["--cwd=/", "--env=PATH=/usr/bin:/bin"],
      ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; tail -n +3 /proc/net/dev | cut -d: -f1"],
    );
    expect(outcome.code).toBe(0);
    const [pid1, interfaces] = outcome.stdout.trim().split("\n");
    // bwrap's own init is pid 1 of the namespace it made (bwrap(1), --unshare-pid).
    expect(pid1).toMatch(/^\/usr\/bin\/bwrap .* -- \/bin\/sleep infinity/);
    expect(interfaces?.trim()).toBe("lo"); // the sandbox's network namespace has only its loopback
    for (const name of ["ipc", "mnt", "net", "pid", "user", "uts"]) {
      const inside = await enter(
        ["--cwd=/", "--env=PATH=/usr/bin:/bin"],
        ["readlink", `/proc/self/ns/${name}`],
      );
      expect(inside.stdout.trim()).toBe(await readlink(`/proc/${init.pid}/ns/${name}`));
    }
  });

  it("gives the command exactly the environment asked for, in the directory asked for", async () => {
    const outcome = await enter(
      [`--cwd=${SANDBOX_HOME}`, "--env=PATH=/usr/bin:/bin", "--env=GREETING=a b=c", "--env=EMPTY="],
      ["sh", "-c", "pwd; env | sort"],
    );
    expect(outcome.code).toBe(0);
    // sh adds PWD (and nothing of the launcher's own environment reaches the command).
    expect(outcome.stdout).toBe(
      `${SANDBOX_HOME}\nEMPTY=\nGREETING=a b=c\nPATH=/usr/bin:/bin\nPWD=${SANDBOX_HOME}\n`,
    );
  });

  it("finds the program along the new PATH, and runs one whose name holds '='", async () => {
    const found = await enter([`--cwd=${SANDBOX_HOME}`, `--env=PATH=${SANDBOX_HOME}:/usr/bin`], ["x=y"]);
    expect(found).toMatchObject({ code: 0, stdout: "ran x=y\n" });
    const relative = await enter([`--cwd=${SANDBOX_HOME}`, "--env=PATH=/usr/bin"], ["./x=y"]);
    expect(relative).toMatchObject({ code: 0, stdout: "ran x=y\n" });
  });

  it("applies the rlimits inside", async () => {
    const outcome = await enter(
      ["--nproc=77", "--data=268435456", "--cwd=/", "--env=PATH=/usr/bin:/bin"],
      ["grep", "-E", "^Max (processes|data size)", "/proc/self/limits"],
    );
    expect(outcome.stdout).toMatch(/Max data size\s+268435456\s+268435456/);
    expect(outcome.stdout).toMatch(/Max processes\s+77\s+77/);
  });

  it("passes the command's exit code, and its killing signal", async () => {
    expect((await enter(["--cwd=/", "--env=PATH=/bin"], ["sh", "-c", "exit 3"])).code).toBe(3);
    const killed = await enter(["--cwd=/", "--env=PATH=/bin"], ["sh", "-c", "kill -9 $$"]);
    expect(killed).toMatchObject({ code: null, signal: "SIGKILL" });
  });

  it("answers 127 for a program not found and 126 for one that cannot be executed", async () => {
    const missing = await enter(["--cwd=/", "--env=PATH=/bin"], ["no-such-program"]);
    expect(missing).toMatchObject({ code: 127 });
    expect(missing.stderr).toMatch(/no-such-program: No such file or directory/);
    const notExecutable = await enter(["--cwd=/", "--env=PATH=/bin"], ["/etc/passwd"]);
    expect(notExecutable).toMatchObject({ code: 126 });
    expect(notExecutable.stderr).toMatch(/Permission denied/);
  });

  it("changes directory as the sandbox's user: a missing or forbidden one is refused before the command", async () => {
    const missing = await enter(["--cwd=/nonexistent", "--env=PATH=/bin"], ["echo", "ran"]);
    expect(missing).toMatchObject({ code: 125, stdout: "" });
    expect(missing.stderr).toMatch(/cannot change directory to \/nonexistent: No such file or directory/);
    if (root) {
      // Mode 0700, owned by root, a uid the sandbox does not map.
      const forbidden = await enter(["--cwd=/tmp/private", "--env=PATH=/bin"], ["echo", "ran"]);
      expect(forbidden).toMatchObject({ code: 125, stdout: "" });
      expect(forbidden.stderr).toMatch(/cannot change directory to \/tmp\/private: Permission denied/);
    }
  });

  it("refuses an init whose pid now names another process (another start time), running nothing", async () => {
    const options = [`--target=${init.pid}`, "--start-time=1", "--uid=1000", "--gid=1000", "--cwd=/"];
    const outcome = await launch(["enter", ...options, "--", "echo", "ran"]);
    expect(outcome).toMatchObject({ code: 125, stdout: "" });
    expect(outcome.stderr).toMatch(new RegExp(`the sandbox's init \\(pid ${init.pid}\\) is gone`));
  });

  it("says what is wrong with its arguments", async () => {
    const cases: [string[], RegExp][] = [
      [["enter", "--cwd=/", "--", "true"], /enter takes --target, --start-time, --uid, --gid and --cwd/],
      [
        ["enter", ...enterOptions(), "--cwd=/", "--nproc=lots", "--", "true"],
        /--nproc takes a decimal number up to \d+, got 'lots'/,
      ],
      [
        ["enter", ...enterOptions(), "--cwd=/", "--data=-1", "--", "true"],
        /--data takes a decimal number up to \d+, got '-1'/,
      ],
      [
        ["enter", ...enterOptions(), "--uid=4294967295", "--cwd=/", "--", "true"],
        /--uid takes a decimal number up to 4294967294/,
      ],
      [
        ["start", "--host-uid= 7", "--", "/bin/true"],
        /--host-uid takes a decimal number up to 4294967294, got ' 7'/,
      ],
      [["enter", "--bogus=1", "--", "true"], /unknown option '--bogus=1'/],
      [["enter", ...enterOptions(), "--cwd=/", "--env=NOEQUALS", "--", "true"], /--env takes NAME=VALUE/],
      [["enter", ...enterOptions(), "--cwd=/"], /no -- before the program/],
      [["enter", ...enterOptions(), "--cwd=/", "--"], /no program after --/],
      [["stop", "--", "true"], /unknown mode 'stop'/],
      [
        ["start", "--cgroup-write=/sys/fs/cgroup/x", "--", "/bin/true"],
        /--cgroup-write=\/sys\/fs\/cgroup\/x takes FILE=VALUE/,
      ],
      [
        ["start", `--cgroup-make=${join(dir, "no", "such")}`, "--", "/bin/true"],
        /cannot make the cgroup .*no\/such: No such file/,
      ],
      [
        ["start", `--cgroup-write=${join(dir, "absent")}=1`, "--", "/bin/true"],
        /cannot open .*absent: No such file/,
      ],
      [
        ["enter", ...enterOptions(), "--cwd=/", `--cgroup-make=${dir}`, "--", "true"],
        /enter takes no --cgroup-make/,
      ],
      [[], /usage: hub-launch start\|enter/],
    ];
    for (const [args, message] of cases) {
      const outcome = await launch(args);
      expect(outcome.code, args.join(" ")).toBe(125);
      expect(outcome.stderr).toMatch(message);
    }
  });
});

describe("hub-launch seccomp-filter", () => {
  it("writes the filter as bwrap --seccomp reads it: whole instructions, ending in allow, then refuse with EPERM", async () => {
    const { stdout } = await promisify(execFile)(launcher, ["seccomp-filter"], { encoding: "buffer" });
    // struct sock_filter: u16 code, u8 jt, u8 jf, u32 k (linux/filter.h); BPF_RET | BPF_K is 0x06.
    expect(stdout.length % 8).toBe(0);
    const last = (back: number): { code: number; k: number } => ({
      code: stdout.readUInt16LE(stdout.length - 8 * back),
      k: stdout.readUInt32LE(stdout.length - 8 * back + 4),
    });
    expect(last(2)).toEqual({ code: 0x06, k: 0x7fff0000 }); // SECCOMP_RET_ALLOW
    expect(last(1)).toEqual({ code: 0x06, k: 0x00050000 | 1 }); // SECCOMP_RET_ERRNO | EPERM
  });
});

describe("building hub-launch", () => {
  it("finds its source above the Hub's code (src, dist, a test runner's folder), and says when it cannot", async () => {
    const source = join(process.cwd(), "hub-app", "native", "hub-launch.c");
    for (const start of ["hub-app/src/orchestrator/local", "hub-app/dist", "node_modules/vitest", "."])
      expect(findLauncherSource([join(process.cwd(), start)])).toBe(source);
    expect(findLauncherSource([undefined, "", dir])).toBeUndefined();
    await expect(
      buildLauncher({ source: join(dir, "missing.c"), cacheDir: join(dir, "c2") }),
    ).rejects.toMatchObject({
      code: "orchestrator_unavailable",
      message: expect.stringMatching(/launcher source .*missing\.c cannot be read \(ENOENT\)/) as string,
    });
  });

  it("reuses the cached build, and builds anew one that others could have written", async () => {
    const cacheDir = join(dir, "cache-rebuild");
    const built = await buildLauncher({ cacheDir });
    const first = await stat(built);
    expect(first.mode & 0o777).toBe(0o755);
    expect(await buildLauncher({ cacheDir })).toBe(built);
    expect((await stat(built)).ino).toBe(first.ino);
    await chmod(built, 0o777);
    expect(await buildLauncher({ cacheDir })).toBe(built);
    const rebuilt = await stat(built);
    expect(rebuilt.ino).not.toBe(first.ino);
    expect(rebuilt.mode & 0o777).toBe(0o755);
  });

  it("says what to install without a C compiler, where it cannot keep the build, and what the compiler said", async () => {
    await expect(
      buildLauncher({ cacheDir: join(dir, "none"), compiler: "no-such-cc" }),
    ).rejects.toMatchObject({
      code: "orchestrator_unavailable",
      message: expect.stringMatching(
        /with a C compiler: no-such-cc was not found in PATH; install one, e.g. apt-get install gcc/,
      ) as string,
    });
    // A file where the cache folder should be: no folder can be made there.
    await writeFile(join(dir, "not-a-folder"), "");
    await expect(buildLauncher({ cacheDir: join(dir, "not-a-folder", "cache") })).rejects.toMatchObject({
      code: "orchestrator_unavailable",
      message: expect.stringMatching(
        /cannot keep its launcher in .*not-a-folder\/cache \(ENOTDIR\): set XDG_CACHE_HOME/,
      ) as string,
    });
    await expect(buildLauncher({ cacheDir: join(dir, "failing"), compiler: "false" })).rejects.toMatchObject({
      code: "orchestrator_unavailable",
      message: expect.stringMatching(/could not build its launcher with false/) as string,
    });
  });
});
