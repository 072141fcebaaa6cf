import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cpuQuotaUs, v1LimitFiles } from "../../src/orchestrator/local/cgroup-limits.js";
import {
  detectCgroups,
  parseMountInfo,
  parseProcCgroup,
  planV1,
  planV2,
  rootKey,
} from "../../src/orchestrator/local/cgroup-detect.js";
import { buildLauncher } from "../../src/orchestrator/local/launcher.js";
import { startArguments } from "../../src/orchestrator/local/sandbox-args.js";
import { SandboxCgroups, type CgroupCreation } from "../../src/orchestrator/local/sandbox-cgroups.js";

const V2_HOST = [
  "25 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
  "30 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
].join("\n");
const V1_HOST = [
  "40 31 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
  "41 31 0:37 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
  "42 31 0:38 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "43 31 0:39 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
  "44 31 0:40 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer",
].join("\n");
const V1_MEMBERSHIP = "6:freezer:/\n4:memory:/process_api/abc\n3:pids:/\n2:cpu,cpuacct:/\n0::/\n";

describe("finding the host's cgroups", () => {
  it("reads cgroup mounts from mountinfo, v1 controllers from the super options", () => {
    expect(parseMountInfo(V2_HOST)).toEqual([
      { version: 2, mountPoint: "/sys/fs/cgroup", root: "/", controllers: [] },
    ]);
    expect(parseMountInfo(V1_HOST)[1]).toEqual({
      version: 1,
      mountPoint: "/sys/fs/cgroup/cpu,cpuacct",
      root: "/",
      controllers: ["rw", "cpu", "cpuacct"],
    });
  });

  it("reads the Hub's own cgroup in each hierarchy", () => {
    const own = parseProcCgroup(V1_MEMBERSHIP);
    expect(own.v2).toBe("/");
    expect(own.v1.get("memory")).toBe("/process_api/abc");
    expect(own.v1.get("cpuacct")).toBe("/");
  });

  it("v2: beside the Hub's own cgroup, handing memory, pids and cpu down each level", () => {
    const [mount] = parseMountInfo(V2_HOST);
    const key = rootKey("/var/lib/hub");
    expect(planV2(mount!, "/system.slice/hub.service", key)).toEqual({
      version: 2,
      hierarchies: [
        { dir: `/sys/fs/cgroup/system.slice/hub-sandboxes/${key}`, controllers: ["memory", "pids", "cpu"] },
      ],
      delegating: [
        "/sys/fs/cgroup/system.slice",
        "/sys/fs/cgroup/system.slice/hub-sandboxes",
        `/sys/fs/cgroup/system.slice/hub-sandboxes/${key}`,
      ],
    });
    expect(planV2(mount!, "/", key)).toMatchObject({
      delegating: ["/sys/fs/cgroup", "/sys/fs/cgroup/hub-sandboxes", `/sys/fs/cgroup/hub-sandboxes/${key}`],
    });
  });

  it("v1: below the Hub's own cgroup in each hierarchy, co-mounted controllers once", () => {
    const layout = planV1(parseMountInfo(V1_HOST), parseProcCgroup(V1_MEMBERSHIP).v1, "k");
    expect(typeof layout === "string" ? layout : layout.hierarchies.map((h) => h.dir)).toEqual([
      "/sys/fs/cgroup/memory/process_api/abc/hub-sandboxes/k",
      "/sys/fs/cgroup/pids/hub-sandboxes/k",
      "/sys/fs/cgroup/cpu,cpuacct/hub-sandboxes/k",
      "/sys/fs/cgroup/freezer/hub-sandboxes/k",
    ]);
    expect(planV1(parseMountInfo(V2_HOST), new Map(), "k")).toBe(
      "no cgroup v1 hierarchy with the memory controller",
    );
  });

  it("gives each HUB_LOCAL_ROOT its own folder, and cpu a quota the kernel takes", () => {
    expect(rootKey("/a")).not.toBe(rootKey("/b"));
    expect(cpuQuotaUs(0.01)).toBe(1000);
    expect(cpuQuotaUs(2)).toBe(200_000);
    expect(v1LimitFiles({ memoryMiB: 1, cpu: 1, maxProcesses: 9 }).map((l) => l.file)).toEqual([
      "memory.limit_in_bytes",
      "memory.memsw.limit_in_bytes",
      "pids.max",
      "cpu.cfs_period_us",
      "cpu.cfs_quota_us",
    ]);
  });
});

/**
 * Runs hub-launch start with a sandbox's cgroup creation and /bin/true. kernfs makes a cgroup's control
 * files with its folder; here the folders and the limit files the kernel would have are made first.
 */
async function launchWith(creation: CgroupCreation, limitFiles: readonly string[]): Promise<number> {
  for (const dir of creation.makes) await mkdir(dir, { recursive: true });
  for (const write of creation.writes)
    if (limitFiles.some((name) => write.file.endsWith(`/${name}`))) await writeFile(write.file, "");
  for (const file of creation.procs) await writeFile(file, "");
  const target = { launcher: await buildLauncher(), cgroupProcs: creation.procs, cgroupSetup: creation };
  const [program, ...args] = startArguments(target, "/bin/true");
  const child = spawn(program, args, { stdio: ["ignore", "ignore", "inherit"] });
  const [code] = (await once(child, "exit")) as [number | null];
  expect(code).toBe(0);
  return child.pid!;
}

describe("cgroup v2, against a folder standing in for /sys/fs/cgroup", () => {
  let mountPoint: string;
  let removed: { dir: string; kill?: string }[];
  let cgroups: SandboxCgroups;
  beforeEach(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), "hub-cgroup2-"));
    removed = [];
    const layout = planV2({ version: 2, mountPoint, root: "/", controllers: [] }, "/hub.service", "key");
    // kernfs takes a cgroup's control files with it on rmdir(2); here they are plain files.
    const removeDir = async (dir: string): Promise<void> => {
      const kill = await readFile(join(dir, "cgroup.kill"), "utf8").catch(() => undefined);
      removed.push({ dir, ...(kill === undefined ? {} : { kill }) });
      await rm(dir, { recursive: true });
    };
    cgroups = new SandboxCgroups(layout as Exclude<typeof layout, string>, { removeDir });
  });
  afterEach(async () => rm(mountPoint, { recursive: true, force: true }));

  it("enables the controllers; the launcher makes the sandbox's cgroup, writes its limits and joins its keeper's part", async () => {
    cgroups.prepare();
    const folder = join(mountPoint, "hub-sandboxes");
    for (const dir of [mountPoint, folder, join(folder, "key")])
      expect(await readFile(join(dir, "cgroup.subtree_control"), "utf8")).toBe("+memory +pids +cpu");
    const sandbox = join(folder, "key", "cnt-abc12");
    const creation = cgroups.creation("cnt-abc12", { memoryMiB: 256, cpu: 0.25, maxProcesses: 64 });
    expect(creation.makes).toEqual([sandbox, join(sandbox, "init")]);
    const pid = await launchWith(creation, ["memory.max", "pids.max", "cpu.max"]);
    expect(await readFile(join(sandbox, "memory.max"), "utf8")).toBe(String(256 * 1024 * 1024));
    expect(await readFile(join(sandbox, "pids.max"), "utf8")).toBe("64");
    expect(await readFile(join(sandbox, "cpu.max"), "utf8")).toBe("25000 100000");
    // memory.swap.max is optional: a kernel without swap accounting has no such file, and it is skipped.
    expect(existsSync(join(sandbox, "memory.swap.max"))).toBe(false);
    expect(await readFile(join(sandbox, "init", "cgroup.procs"), "utf8")).toBe(String(pid));
    expect(cgroups.enter("cnt-abc12", "run-1")).toEqual([join(sandbox, "run-1", "cgroup.procs")]);
    expect(cgroups.enter("cnt-gone1", "run-1")).toBeUndefined();
    expect(cgroups.ids()).toEqual(["cnt-abc12"]);
  });

  it("kills with cgroup.kill; removes a run's cgroup, then the sandbox's deepest first", async () => {
    cgroups.prepare();
    const sandbox = join(mountPoint, "hub-sandboxes", "key", "cnt-abc12");
    await mkdir(sandbox);
    for (const part of ["init", "run-1"]) {
      cgroups.enter("cnt-abc12", part);
      await writeFile(join(sandbox, part, "cgroup.kill"), ""); // the kernel's file, present since 5.14
    }
    await cgroups.kill("cnt-abc12", "run-1");
    expect(await readFile(join(sandbox, "run-1", "cgroup.kill"), "utf8")).toBe("1");
    expect(await readFile(join(sandbox, "init", "cgroup.kill"), "utf8")).toBe("");
    await cgroups.remove("cnt-abc12", "run-1");
    expect(removed).toEqual([{ dir: join(sandbox, "run-1"), kill: "1" }]);
    await cgroups.remove("cnt-abc12");
    expect(removed.slice(1).map((entry) => entry.dir)).toEqual([join(sandbox, "init"), sandbox]);
    expect(cgroups.ids()).toEqual([]);
  });
});

describe("choosing at start", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hub-cgroup-detect-"));
    await mkdir(join(dir, "proc", "self"), { recursive: true });
    await mkdir(join(dir, "cgroup"));
    const mountinfo = `25 30 0:22 / ${dir}/cgroup rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n`;
    await writeFile(join(dir, "proc", "self", "mountinfo"), mountinfo);
    await writeFile(join(dir, "proc", "self", "cgroup"), "0::/hub.service\n");
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("takes cgroup v2 when memory, pids and cpu are available beside the Hub's cgroup", async () => {
    await writeFile(join(dir, "cgroup", "cgroup.controllers"), "cpuset cpu io memory pids\n");
    const found = await detectCgroups("/var/lib/hub", join(dir, "proc"));
    expect(found.cgroups?.layout.version).toBe(2);
    expect(await readFile(join(dir, "cgroup", "cgroup.subtree_control"), "utf8")).toBe("+memory +pids +cpu");
  });

  it("says why none holds: v2 without the controllers, no v1 hierarchy", async () => {
    await writeFile(join(dir, "cgroup", "cgroup.controllers"), "cpuset io\n");
    const found = await detectCgroups("/var/lib/hub", join(dir, "proc"));
    expect(found.cgroups).toBeUndefined();
    expect(found.reason).toBe(
      `cgroup v2: memory, pids, cpu not available in ${dir}/cgroup (cgroup.controllers); cgroup v1: no cgroup v1 hierarchy with the memory controller`,
    );
  });
});
