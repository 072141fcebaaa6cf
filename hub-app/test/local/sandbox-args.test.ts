import { describe, expect, it } from "vitest";
import {
  bwrapArguments,
  dropToHostUidArguments,
  commandArguments,
  enterArguments,
  HOST_TOOLS_ENV,
  outermostPaths,
  projectDirectory,
  rlimitArguments,
} from "../../src/orchestrator/local/sandbox-args.js";

describe("outermostPaths", () => {
  it("keeps only outermost paths and never hides /", () => {
    expect(
      outermostPaths(["/home", "/home/dev/project", "/", "/tmp/hub", "/tmp/hub/", "/tmp/hubby"]),
    ).toEqual(["/home", "/tmp/hub", "/tmp/hubby"]);
  });
});

describe("bwrapArguments", () => {
  const layout = {
    workDir: "/r/cnt-a/work",
    tmpDir: "/r/cnt-a/tmp",
    hiddenPaths: ["/r", "/srv/hub"],
    network: "none" as const,
    hostname: "cnt-a",
    shmBytes: 256 * 1024 * 1024,
  };

  it("hides host paths before binding the sandbox's own directories over them", () => {
    const args = bwrapArguments(layout);
    const lastTmpfs = args.lastIndexOf("--tmpfs");
    expect(args.indexOf("--bind")).toBeGreaterThan(lastTmpfs);
    for (const hidden of ["/root", "/home", "/r", "/srv/hub"])
      expect(args.slice(args.indexOf(hidden) - 3, args.indexOf(hidden))).toEqual([
        "--size",
        "65536",
        "--tmpfs",
      ]);
    expect(args.join(" ")).toContain("--bind /r/cnt-a/work /home/sandbox");
    expect(args.join(" ")).toContain("--bind /r/cnt-a/tmp /tmp");
  });

  it("bounds every writable tmpfs: hiding ones to 64 KiB, /dev/shm to the container's memory, /dev read-only", () => {
    const args = bwrapArguments(layout).join(" ");
    expect(args).toContain(`--size ${256 * 1024 * 1024} --tmpfs /dev/shm --remount-ro /dev`);
    expect(args.indexOf("--dev /dev")).toBeLessThan(args.indexOf("--tmpfs /dev/shm"));
  });

  it("unshares the network only when it is none", () => {
    expect(bwrapArguments(layout)).toContain("--unshare-net");
    expect(bwrapArguments({ ...layout, network: "host" })).not.toContain("--unshare-net");
  });

  it("runs as a non-root uid without capabilities and with a clean environment", () => {
    const args = bwrapArguments(layout).join(" ");
    expect(args).toContain("--uid 1000 --gid 1000");
    expect(args).toContain("--cap-drop ALL");
    expect(args).toContain("--clearenv");
    expect(args).not.toContain("--die-with-parent");
  });
});

describe("limits", () => {
  it("caps processes only with a uid of the sandbox's own, and data size always", () => {
    expect(rlimitArguments({ maxProcesses: 64, memoryMiB: 256, hostUid: 1_500_000_001 })).toEqual([
      "/usr/bin/prlimit",
      "--nproc=64",
      `--data=${256 * 1024 * 1024}`,
      "--",
    ]);
    expect(rlimitArguments({ maxProcesses: 64, memoryMiB: 256 })).toEqual([
      "/usr/bin/prlimit",
      `--data=${256 * 1024 * 1024}`,
      "--",
    ]);
    expect(dropToHostUidArguments({ maxProcesses: 64, memoryMiB: 256 })).toEqual([]);
    expect(dropToHostUidArguments({ maxProcesses: 64, memoryMiB: 256, hostUid: 7 })).toEqual([
      "/usr/bin/setpriv",
      "--reuid=7",
      "--regid=7",
      "--clear-groups",
      "--",
    ]);
  });
});

describe("enterArguments", () => {
  it("enters every namespace as the sandbox user with no_new_privs, then changes directory inside", () => {
    const args = enterArguments(42, "/home/sandbox/src", { PATH: "/usr/bin", GREETING: "a b=c" });
    // Host programs by their absolute paths (util-linux installs them in /usr/bin on Debian): no PATH search.
    expect(args.slice(0, 2)).toEqual(["/usr/bin/nsenter", "--target=42"]);
    expect(args).toContain("/usr/bin/setpriv");
    for (const flag of [
      "--user",
      "--mount",
      "--pid",
      "--ipc",
      "--uts",
      "--net",
      "--setuid=1000",
      "--setgid=1000",
      "--no-new-privs",
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).toContain("--chdir=/home/sandbox/src");
    expect(args.at(-1)).toBe("GREETING=a b=c");
  });

  it("sets the sandbox's environment with env -i after entering, never on the host programs", () => {
    const args = enterArguments(42, "/", { PATH: "/evil", LD_PRELOAD: "/evil.so" });
    const envAt = args.indexOf("/usr/bin/env");
    expect(envAt).toBeGreaterThan(args.indexOf("/usr/bin/setpriv"));
    expect(args.slice(envAt, envAt + 6)).toEqual([
      "/usr/bin/env",
      "-i",
      "--chdir=/",
      "--",
      "PATH=/evil",
      "LD_PRELOAD=/evil.so",
    ]);
    expect(HOST_TOOLS_ENV).toEqual({ PATH: "/usr/sbin:/usr/bin:/sbin:/bin" });
  });
});

describe("commandArguments", () => {
  it("starts a program whose name holds = through sh, which env would take for a variable", () => {
    expect(commandArguments("ls", ["/"])).toEqual(["ls", "/"]);
    expect(commandArguments("./a=b", ["x"])).toEqual(["/bin/sh", "-c", 'exec "$@"', "sh", "./a=b", "x"]);
  });
});

describe("projectDirectory", () => {
  it("finds the outermost ancestor holding package.json or .git", () => {
    const present = new Set(["/srv/repo/.git", "/srv/repo/hub-app/package.json", "/srv/repo/package.json"]);
    expect(projectDirectory("/srv/repo/hub-app/src", (path) => present.has(path))).toBe("/srv/repo");
    expect(projectDirectory("/opt/x", () => false)).toBe("/opt/x");
  });
});
