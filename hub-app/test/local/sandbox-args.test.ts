import { describe, expect, it } from "vitest";
import {
  bwrapArguments,
  enterArguments,
  HOST_TOOLS_ENV,
  outermostPaths,
  projectDirectory,
  startArguments,
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
    disableUserns: true,
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

  it("keeps the sandbox from making user namespaces where this bwrap can", () => {
    expect(bwrapArguments(layout).slice(0, 2)).toEqual(["--unshare-user", "--disable-userns"]);
    expect(bwrapArguments({ ...layout, disableUserns: false })).not.toContain("--disable-userns");
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

const LAUNCHER = "/cache/hub-launch-0123";
const MiB256 = 256 * 1024 * 1024;

describe("startArguments", () => {
  it("caps processes only with a uid of the sandbox's own, data and file size always, filters calls, and drops to that uid", () => {
    const limits = { maxProcesses: 64, memoryMiB: 256, fileBytes: 1024, hostUid: 1_500_000_001 };
    const cgroupProcs = ["/cg/memory/cnt-1/cgroup.procs", "/cg/freezer/cnt-1/init/cgroup.procs"];
    expect(startArguments({ launcher: LAUNCHER, limits, cgroupProcs }, "/usr/bin/bwrap")).toEqual([
      LAUNCHER,
      "start",
      "--cgroup=/cg/memory/cnt-1/cgroup.procs",
      "--cgroup=/cg/freezer/cnt-1/init/cgroup.procs",
      "--nproc=64",
      `--data=${MiB256}`,
      "--fsize=1024",
      "--seccomp",
      "--host-uid=1500000001",
      "--",
      "/usr/bin/bwrap",
    ]);
    const unprivileged = {
      launcher: LAUNCHER,
      limits: { maxProcesses: 64, memoryMiB: 256 },
      cgroupProcs: [],
    };
    expect(startArguments(unprivileged, "/usr/bin/bwrap")).toEqual([
      LAUNCHER,
      "start",
      `--data=${MiB256}`,
      "--seccomp",
      "--",
      "/usr/bin/bwrap",
    ]);
  });

  it("without limits (a port relay) only joins the cgroups", () => {
    expect(
      startArguments({ launcher: LAUNCHER, cgroupProcs: ["/cg/x/cgroup.procs"] }, "/usr/bin/nsenter"),
    ).toEqual([LAUNCHER, "start", "--cgroup=/cg/x/cgroup.procs", "--", "/usr/bin/nsenter"]);
  });
});

describe("enterArguments", () => {
  const target = {
    launcher: LAUNCHER,
    limits: { memoryMiB: 256, hostUid: 7, maxProcesses: 9 },
    cgroupProcs: [],
  };
  const init = { initPid: 42, initStartTime: "123456" };

  it("names the init by pid and start time, the sandbox's user and the directory inside", () => {
    const args = enterArguments(target, init, "/home/sandbox/src", { PATH: "/usr/bin", GREETING: "a b=c" });
    expect(args).toEqual([
      LAUNCHER,
      "enter",
      "--nproc=9",
      `--data=${MiB256}`,
      "--seccomp",
      "--target=42",
      "--start-time=123456",
      "--uid=1000",
      "--gid=1000",
      "--cwd=/home/sandbox/src",
      "--env=PATH=/usr/bin",
      "--env=GREETING=a b=c",
      "--",
    ]);
  });

  it("passes the sandbox's environment as options, never as the host programs' own", () => {
    const args = enterArguments(target, init, "/", { PATH: "/evil", LD_PRELOAD: "/evil.so" });
    expect(args).toContain("--env=LD_PRELOAD=/evil.so");
    expect(HOST_TOOLS_ENV).toEqual({ PATH: "/usr/sbin:/usr/bin:/sbin:/bin" });
  });
});

describe("projectDirectory", () => {
  it("finds the outermost ancestor holding package.json or .git", () => {
    const present = new Set(["/srv/repo/.git", "/srv/repo/hub-app/package.json", "/srv/repo/package.json"]);
    expect(projectDirectory("/srv/repo/hub-app/src", (path) => present.has(path))).toBe("/srv/repo");
    expect(projectDirectory("/opt/x", () => false)).toBe("/opt/x");
  });
});
