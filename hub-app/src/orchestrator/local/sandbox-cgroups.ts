import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { v1LimitFiles, v2LimitFiles, type CgroupLimits } from "./cgroup-limits.js";
import { isSandboxId } from "./meta.js";

/** What the launcher makes of a new sandbox's cgroups before its keeper starts (SandboxCgroups.creation). */
export interface CgroupCreation {
  /** Folders, parents first: the sandbox's in each hierarchy, then its keeper's part. */
  readonly makes: readonly string[];
  /** Limit files; an optional one the kernel lacks (no swap accounting) is skipped. */
  readonly writes: readonly { file: string; value: string; optional: boolean }[];
  /** The cgroup.procs files the keeper joins. */
  readonly procs: readonly string[];
}

/** One cgroup hierarchy (v2 has one for all controllers; v1 one per mount) and this Hub root's folder in it. */
export interface CgroupHierarchy {
  /** The folder whose children are this Hub root's sandboxes' cgroups. */
  readonly dir: string;
  readonly controllers: readonly string[];
}

export interface CgroupLayout {
  readonly version: 1 | 2;
  readonly hierarchies: readonly CgroupHierarchy[];
  /**
   * v2 only: the folders, top first, whose cgroup.subtree_control must hand memory, pids and cpu
   * down to the sandboxes' cgroups (cgroup-v2.rst, "Enabling and Disabling"); the first exists.
   */
  readonly delegating: readonly string[];
}

/** A sandbox's keeper (the bwrap init) lives in `<id>/init`, each run in `<id>/run-<n>`: killed alone at its timeout. */
const INIT_PART = "init";
const RUN_PART = /^run-[a-z0-9-]+$/;
export const V2_CONTROLLERS = ["memory", "pids", "cpu"] as const;
// Teardown of a killed cgroup takes milliseconds; ten seconds covers a loaded host.
const EMPTY_WAIT_MS = 10_000;
// Spare run parts kept per sandbox: enough for the runs one student has in flight at once.
const SPARE_RUN_PARTS = 4;
const POLL_MS = 5;

export interface CgroupOptions {
  /** Removes an empty cgroup: rmdir(2) on cgroupfs, where the control files go with the folder (kernfs). */
  readonly removeDir?: (dir: string) => Promise<void>;
}

/**
 * Each sandbox in a cgroup of its own with the container's memory, cpu and a task limit, and each
 * run in a child cgroup, so a timed-out run is killed whole even when its processes left their
 * process group and session (`setsid cmd &`), while what earlier runs left running stays.
 *
 * Its file operations are synchronous: cgroupfs is kernfs, in memory, and each mkdir, rmdir, read or
 * write takes 15-60 µs here, where the same call through libuv's thread pool waited 0.2-0.5 ms for its
 * turn on a busy Hub, several times per run and per delete (hub-app/bench/floor.ts).
 */
export class SandboxCgroups {
  private readonly removeDir: (dir: string) => Promise<void>;
  /**
   * Run parts left empty by their run, by sandbox, for its next runs: one saves a mkdir and an rmdir
   * on the Hub's thread (0.28 ms of its ~1 ms per run with 16 runs at once, hub-app/bench/floor.ts).
   */
  private readonly spareRunParts = new Map<string, string[]>();
  /** `<id>/<part>` of the runs under way: tidy leaves them alone. */
  private readonly busyRunParts = new Set<string>();

  constructor(
    readonly layout: CgroupLayout,
    options: CgroupOptions = {},
  ) {
    // A throw inside the executor rejects: callers handle EBUSY and ENOENT as a rejection.
    this.removeDir = options.removeDir ?? ((dir) => new Promise<void>((resolve) => resolve(rmdirSync(dir))));
  }

  describe(): string {
    const files =
      this.layout.version === 2
        ? "memory.max, pids.max, cpu.max"
        : "memory.limit_in_bytes, pids.max, cpu.cfs_quota_us";
    return `cgroup v${this.layout.version} (${files}) under ${this.layout.hierarchies.map((h) => h.dir).join(", ")}`;
  }

  /** Makes this root's folders and, with v2, hands the controllers down to them. */
  prepare(): void {
    if (this.layout.version === 2) {
      for (const dir of this.layout.delegating) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "cgroup.subtree_control"), V2_CONTROLLERS.map((c) => `+${c}`).join(" "));
      }
    }
    for (const hierarchy of this.layout.hierarchies) mkdirSync(hierarchy.dir, { recursive: true });
  }

  /**
   * The sandbox's cgroup with its limits and its keeper's part, as the launcher makes them before it
   * starts the keeper (hub-launch start): folders in order, limit files, the cgroup.procs files to join.
   * Nothing is done here: the launcher's syscalls run off the Hub's event loop.
   */
  creation(id: string, limits: CgroupLimits): CgroupCreation {
    const killDir = this.killHierarchy().dir;
    const files = this.layout.version === 2 ? v2LimitFiles(limits) : v1LimitFiles(limits);
    return {
      makes: [
        ...this.layout.hierarchies.map((hierarchy) => join(hierarchy.dir, id)),
        join(killDir, id, INIT_PART),
      ],
      writes: files.map((limit) => ({
        file: join(this.hierarchyOf(limit.controller).dir, id, limit.file),
        value: limit.value,
        optional: limit.optional === true,
      })),
      procs: this.procsFiles(id, INIT_PART),
    };
  }

  /**
   * Makes the part and returns the cgroup.procs files a process writes its pid to to join it; undefined
   * when the sandbox has no cgroup. The part is a folder in the hierarchy processes are killed in only:
   * elsewhere (the other v1 hierarchies) the process joins the sandbox's own cgroup, which v1 allows
   * beside child cgroups (cgroup-v1/cgroups.rst) and which holds the same limits. One mkdir and one
   * rmdir per run instead of one per hierarchy: a memory cgroup is the costly one to make (four
   * hierarchies here took 10-17 ms of a run; hub-app/bench/floor.ts).
   */
  enter(id: string, part: string): string[] | undefined {
    const killDir = this.killHierarchy().dir;
    try {
      mkdirSync(join(killDir, id, part));
    } catch (error) {
      if (code(error) === "ENOENT") return undefined; // a sandbox from before cgroups held
      if (code(error) !== "EEXIST") throw error;
    }
    return this.procsFiles(id, part);
  }

  /**
   * A run part of sandbox `id` for one run: a spare one, or a new `run-<uuid>`; undefined when the
   * sandbox has no cgroup. Hand it back with leaveRun, or removeRun after a timeout.
   */
  enterRun(id: string): { part: string; procs: string[] } | undefined {
    const part = this.spareRunParts.get(id)?.pop() ?? `run-${randomUUID()}`;
    // A spare too: another Hub process's tidy on the same root may have removed it (EEXIST is the usual answer).
    const procs = this.enter(id, part);
    if (procs !== undefined) this.busyRunParts.add(join(id, part));
    return procs === undefined ? undefined : { part, procs };
  }

  /** After a run that ended by itself: its part is kept as a spare when nothing of it runs on, else removed once empty (tidy). */
  leaveRun(id: string, part: string): void {
    this.busyRunParts.delete(join(id, part));
    const spares = this.spareRunParts.get(id) ?? [];
    if (spares.length < SPARE_RUN_PARTS && this.pids(join(id, part)).length === 0) {
      spares.push(part);
      this.spareRunParts.set(id, spares);
    } else void this.removeIfEmpty(id, part);
  }

  /** After a run that timed out: every process of its part is killed and the part removed. */
  async removeRun(id: string, part: string): Promise<void> {
    try {
      await this.remove(id, part);
    } finally {
      this.busyRunParts.delete(join(id, part));
    }
  }

  /** The cgroup.procs files a process of `part` joins: the part's in the kill hierarchy, the sandbox's elsewhere (enter). */
  private procsFiles(id: string, part: string): string[] {
    const killDir = this.killHierarchy().dir;
    return this.layout.hierarchies.map((hierarchy) =>
      hierarchy.dir === killDir
        ? join(killDir, id, part, "cgroup.procs")
        : join(hierarchy.dir, id, "cgroup.procs"),
    );
  }

  /**
   * SIGKILLs every process of the sandbox (or of one part), waits until they are gone and removes
   * the cgroups. `graceMs`: first wait that long for them to end by themselves (a sandbox whose init
   * was killed: its bwrap parent reaps it and exits; killed first, it would leave the init a zombie).
   */
  async remove(id: string, part?: string, graceMs = 0): Promise<void> {
    const target = part === undefined ? id : join(id, part);
    if (part === undefined) this.spareRunParts.delete(id);
    if (!existsSync(join(this.killHierarchy().dir, target))) return;
    if (!(await this.emptyWithin(target, graceMs))) await this.kill(id, part);
    await this.waitEmpty(target);
    // Hierarchies at once (four on a v1 host): a delete answers after this (hub-app/bench/floor.ts).
    await Promise.all(
      this.layout.hierarchies.map(async (hierarchy) => {
        for (const dir of deepestFirst(join(hierarchy.dir, target))) await this.removeWhenFree(dir);
      }),
    );
  }

  /** Removes a run's cgroup if nothing of it runs on (a `nohup server &` keeps it until the sandbox goes). */
  async removeIfEmpty(id: string, part: string): Promise<void> {
    // EBUSY: still in use. Parts are folders of the kill hierarchy only (enter).
    await this.removeDir(join(this.killHierarchy().dir, id, part)).catch(() => undefined);
  }

  /** Removes the run cgroups of a sandbox that nothing runs in any more, but for this Hub's runs and spares. */
  async tidy(id: string): Promise<void> {
    const parts = subfolders(join(this.killHierarchy().dir, id));
    for (const part of parts.filter((name) => RUN_PART.test(name))) {
      // Checked right before each removal (its rmdir is synchronous): a run may have taken or left one meanwhile.
      const ours =
        this.spareRunParts.get(id)?.includes(part) === true || this.busyRunParts.has(join(id, part));
      if (!ours) await this.removeIfEmpty(id, part);
    }
  }

  /** Removes this root's folders once no sandbox is left in them (else they stay, EBUSY). */
  async release(): Promise<void> {
    for (const hierarchy of this.layout.hierarchies)
      await this.removeDir(hierarchy.dir).catch(() => undefined);
  }

  /** Ids of the sandboxes that have a cgroup here. */
  ids(): string[] {
    return subfolders(this.killHierarchy().dir).filter(isSandboxId);
  }

  /** A file of the sandbox's cgroup (`cpu.stat`, `memory.oom_control`, `pids.events`), in the hierarchy of its controller. */
  file(id: string, name: string): string {
    return join(this.hierarchyOf(name.split(".")[0] ?? "").dir, id, name);
  }

  /** SIGKILLs every process of the sandbox's cgroup, or of one part, and below. */
  async kill(id: string, part?: string): Promise<void> {
    const target = part === undefined ? id : join(id, part);
    if (this.layout.version === 2) {
      const killFile = join(this.layout.hierarchies[0]!.dir, target, "cgroup.kill");
      // cgroup.kill (Linux 5.14): the kernel kills the whole subtree, forks in flight included (cgroup-v2.rst).
      if (existsSync(killFile)) return writeFileSync(killFile, "1");
      return this.killFrozen(target, "cgroup.freeze", "1", "0");
    }
    // v1 freezer (cgroup-v1/freezer-subsystem.rst): frozen tasks cannot fork while their pids are read and killed.
    if (this.layout.hierarchies.some((h) => h.controllers.includes("freezer")))
      return this.killFrozen(target, "freezer.state", "FROZEN", "THAWED");
    for (let round = 0; round < 100 && this.pids(target).length > 0; round += 1) {
      killAll(this.pids(target));
      await delay(POLL_MS);
    }
  }

  private killFrozen(target: string, file: string, frozen: string, thawed: string): void {
    const state = join(this.killHierarchy().dir, target, file);
    writeFileSync(state, frozen);
    try {
      killAll(this.pids(target));
    } finally {
      // A SIGKILLed task dies once thawed (freezer-subsystem.rst).
      writeFileSync(state, thawed);
    }
  }

  private async waitEmpty(target: string): Promise<void> {
    const deadline = Date.now() + EMPTY_WAIT_MS;
    for (let pids = this.pids(target); pids.length > 0; pids = this.pids(target)) {
      killAll(pids); // a task forked while the kill was under way
      if (Date.now() > deadline)
        throw new Error(`processes of cgroup ${target} outlived SIGKILL for ${EMPTY_WAIT_MS} ms`);
      await delay(POLL_MS);
    }
  }

  private async emptyWithin(target: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.pids(target).length === 0) return true;
      if (Date.now() >= deadline) return false;
      await delay(POLL_MS);
    }
  }

  private async removeWhenFree(dir: string): Promise<void> {
    const deadline = Date.now() + EMPTY_WAIT_MS;
    for (;;) {
      try {
        return await this.removeDir(dir);
      } catch (error) {
        // EBUSY while the last exiting tasks leave it (a v1 cgroup holds its dying tasks a moment).
        if (code(error) === "ENOENT") return;
        if (code(error) !== "EBUSY" || Date.now() > deadline) throw error;
        await delay(POLL_MS);
      }
    }
  }

  /** Every pid in the cgroup `target` and below. */
  private pids(target: string): number[] {
    const found: number[] = [];
    for (const dir of deepestFirst(join(this.killHierarchy().dir, target))) {
      const text = readOr(join(dir, "cgroup.procs"), "");
      found.push(
        ...text
          .split("\n")
          .filter((line) => line !== "")
          .map(Number),
      );
    }
    return found;
  }

  /** The hierarchy processes are listed and killed in: v1's freezer when mounted. */
  private killHierarchy(): CgroupHierarchy {
    return (
      this.layout.hierarchies.find((h) => h.controllers.includes("freezer")) ?? this.layout.hierarchies[0]!
    );
  }

  private hierarchyOf(controller: string): CgroupHierarchy {
    return (
      this.layout.hierarchies.find((h) => h.controllers.includes(controller)) ?? this.layout.hierarchies[0]!
    );
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** `dir` and the folders below it, children before their parents (the order rmdir needs). */
function deepestFirst(dir: string): string[] {
  const below = subfolders(dir).flatMap((name) => deepestFirst(join(dir, name)));
  return existsSync(dir) ? [...below, dir] : [];
}

/** A cgroup file's text, or `fallback` when it went (its cgroup removed meanwhile). */
function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}
