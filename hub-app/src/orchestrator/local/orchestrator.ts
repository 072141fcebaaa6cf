import { join } from "node:path";
import { HubError, notFound } from "../../errors.js";
import type {
  ContainerInfo,
  ContainerSpec,
  FileToWrite,
  Orchestrator,
  OrchestratorContext,
  PoolClaim,
  PoolClaimResult,
  PoolMember,
  PortTarget,
  RunRequest,
  RunResult,
} from "../types.js";
import type { LocalSettings } from "./settings.js";
import { launchSandbox } from "./launch.js";
import { sandboxDir, writeMeta, type SandboxMeta } from "./meta.js";
import { ContainerIndex } from "./container-index.js";
import { InitLiveness } from "./init-liveness.js";
import { launchedAndRunning, trackExit } from "./sandbox-exits.js";
import { claimMember, deleteMember, listMembers, memberOf, warmRoot } from "./pool-members.js";
import { SandboxRoot, type Creator } from "./sandbox-root.js";
import { hubIsRoot } from "./host-uids.js";
import { hidingPoints, sandboxCanSearch } from "./hidden-paths.js";
import { reconcile } from "./reconcile.js";
import { deleteSandbox, teardownsDone, type DeleteParts } from "./sandbox-delete.js";
import { isMissing, onStorage, storageError } from "./storage-errors.js";
import { UidClaims } from "./uid-claims.js";
import { PortRelays } from "./port-relay.js";
import { addressTarget } from "../address-target.js";
import { processStartTime, processStartTimeNow } from "./process-info.js";
import { isAlive, killSandbox, requireRunning, sandboxInfo, type StartedMeta } from "./sandbox-info.js";
import { runInCgroup } from "./run-in-cgroup.js";
import type { SandboxCgroups } from "./sandbox-cgroups.js";
import { startCgroups } from "./cgroup-start.js";
import { buildLauncher, findLauncherSource, launcherSearchStarts } from "./launcher.js";
import {
  enterArguments,
  HOST_TOOLS_ENV,
  insideHome,
  SANDBOX_HOME,
  SANDBOX_PATH,
  type LaunchTarget,
  type SandboxLayout,
  type SandboxLimits,
} from "./sandbox-args.js";
import { tarArchive } from "../tar-archive.js";
import { SCRATCH_CHECK_MS, ScratchWatch } from "./scratch-watch.js";
import { SCRATCH_FOLDERS, type ScratchUse } from "./scratch-usage.js";
import { removeInBackground } from "./remover.js";
import { bwrapCanDisableUserns } from "./bwrap-features.js";

const MIB = 1024 * 1024;
/**
 * Inodes a sandbox may use per MiB of HUB_LOCAL_SCRATCH_MIB: one per 4 KiB block, so that files with
 * any content (a Python virtualenv, node_modules) meet the byte limit first, and only empty files and
 * short links, which take no block, can reach this one.
 */
const INODES_PER_MIB = 256;

/** The only image a local sandbox has: the host's own programs, seen read-only. */
export const LOCAL_IMAGE = "host";
// Generous: bwrap starts a sandbox in ~10 ms; a loaded CI machine may take far longer.
const LAUNCH_TIMEOUT_MS = 30_000;
const WRITE_FILES_TIMEOUT_MS = 60_000;
// tar's own messages are enough to say what went wrong with a file; more is noise.
const WRITE_FILES_OUTPUT_BYTES = 4096;

/** Creates in flight in this process, by sandbox folder: a delete or extend of one waits for it, whichever orchestrator asks. */
const launching = new Map<string, Promise<unknown>>();
/** This Hub process as a sandbox's creator: a pending sandbox whose creator has gone was abandoned. */
let creator: Promise<Creator> | undefined;
function thisProcess(): Promise<Creator> {
  creator ??= processStartTime(process.pid).then((startTime) => ({
    pid: process.pid,
    startTime: startTime ?? "",
  }));
  return creator;
}

export interface LocalParts {
  /** Host paths hidden inside sandboxes besides /root, /home and HUB_LOCAL_ROOT (the Hub's own project). */
  readonly hiddenPaths: readonly string[];
  /** How often sandboxes' disk use is measured (default SCRATCH_CHECK_MS). */
  readonly scratchCheckMs?: number;
}

/**
 * Sandboxes on this machine with bubblewrap. Why enter a kept-alive sandbox's namespaces (setns) rather
 * than an agent inside it: nothing of the Hub runs inside the sandbox that a student could
 * break or talk to, a command joins exactly the namespaces of the running sandbox (its files,
 * /tmp and background processes), and it costs no resident process per sandbox; measured here
 * a `ls /` run takes a few ms (hub-app/bench/local.ts). The README's "Local sandbox isolation" says what it isolates.
 */
export class LocalOrchestrator implements Orchestrator {
  readonly kind = "local" as const;
  readonly placements = ["local"] as const;
  private readonly hiddenPaths: readonly string[];
  private readonly root: SandboxRoot;
  private readonly relays = new PortRelays(() => ({ launcher: this.launcher, cgroups: this.cgroups }));
  /** Host uids, when the Hub is root and gives each sandbox its own. */
  private readonly claims: UidClaims | undefined;
  /** Each sandbox's cgroup, when the host lets the Hub make them (found at start). */
  private cgroups: SandboxCgroups | undefined;
  /** This Hub's containers in memory: list and get read no meta.json (container-index.ts). */
  private readonly index: ContainerIndex;
  private readonly liveness = new InitLiveness();
  private started: Promise<void> | undefined;
  /** hub-launch, built at start (launcher.ts): it starts and enters every sandbox. */
  private launcher = "";
  private hiding: Promise<string[]> | undefined;
  /** Whether sandboxes are kept from making user namespaces (found at start: bwrap-features.ts). */
  private disableUserns = false;
  /** Evicts a sandbox whose files outgrow HUB_LOCAL_SCRATCH_MIB (scratch-watch.ts). */
  private readonly scratchWatch: ScratchWatch;
  /** What HUB_LOCAL_SCRATCH_MIB allows a sandbox's scratch folders. */
  private readonly scratchLimit: ScratchUse;

  constructor(
    private readonly settings: LocalSettings,
    private readonly context: OrchestratorContext,
    parts: LocalParts,
  ) {
    this.hiddenPaths = [settings.root, ...parts.hiddenPaths];
    this.root = new SandboxRoot(settings.root);
    this.claims = hubIsRoot() ? new UidClaims(settings.root) : undefined;
    this.index = new ContainerIndex(settings.root, context.instance);
    this.scratchLimit = { bytes: settings.scratchMiB * MIB, inodes: settings.scratchMiB * INODES_PER_MIB };
    this.scratchWatch = new ScratchWatch({
      limit: this.scratchLimit,
      intervalMs: parts.scratchCheckMs ?? SCRATCH_CHECK_MS,
      logger: context.logger,
      running: () => this.runningFolders(),
      evict: (id, used) => this.evict(id, used),
    });
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    const { info } = await this.start(this.settings.root, spec);
    return info;
  }

  async createPoolMember(pool: string, spec: ContainerSpec): Promise<PoolMember> {
    const { meta } = await this.start(warmRoot(this.settings.root), { ...spec, env: {}, ports: [] }, pool);
    const member = await memberOf(meta, this.context.instance);
    if (member === undefined) throw new HubError("internal", `pool member ${spec.id} does not read back`);
    return member;
  }

  listPoolMembers(): Promise<PoolMember[]> {
    return listMembers(this.settings.root, this.context.instance);
  }

  async claimPoolMember(member: PoolMember, claim: PoolClaim): Promise<PoolClaimResult> {
    const meta = await claimMember(this.settings.root, this.context.instance, member, claim);
    if (meta === undefined) return { outcome: "lost" };
    this.index.set(meta);
    const info = await this.toInfo(meta);
    if (info.status === "running") return { outcome: "claimed", info };
    // Ours now, but its processes ended after it was listed: nobody can use it.
    await this.delete(member.id);
    return { outcome: "lost" };
  }

  async deletePoolMember(member: PoolMember): Promise<boolean> {
    await this.ensureStarted();
    return deleteMember(this.settings.root, this.context.instance, member, (directory, meta) =>
      this.deleteFolder(directory, meta),
    );
  }

  /** Starts a sandbox whose directory and meta.json live under `parent` (the root, or the warm-pool folder). */
  private async start(
    parent: string,
    spec: ContainerSpec,
    pool?: string,
  ): Promise<{ info: ContainerInfo; meta: SandboxMeta }> {
    if (spec.image !== LOCAL_IMAGE) {
      throw new HubError(
        "invalid_request",
        `image must be "${LOCAL_IMAGE}" with the local orchestrator (got "${spec.image}"): local sandboxes run the host's own programs`,
      );
    }
    await this.ensureStarted();
    await this.root.prepare();
    const hostUid = await onStorage(this.settings.root, async () => this.claims?.claim());
    let dir: string;
    let meta: SandboxMeta;
    try {
      meta = {
        id: spec.id,
        instance: this.context.instance,
        image: spec.image,
        cpu: spec.cpu,
        memoryMiB: spec.memoryMiB,
        env: { ...spec.env },
        ports: [...spec.ports],
        createdAt: spec.createdAt.toISOString(),
        expiresAt: spec.expiresAt.toISOString(),
        ...(hostUid === undefined ? {} : { hostUid }),
        creator: await thisProcess(),
        timings: { accepted: sinceCreated(spec) },
        ...(pool === undefined ? {} : { pool }),
      };
      dir = await this.root.createSandboxDir({ ...meta, creator: await thisProcess() }, parent);
      if (parent === this.settings.root) this.index.set(meta);
    } catch (error) {
      if (hostUid !== undefined) await this.claims?.release(hostUid);
      throw error;
    }
    const launch = this.launch(parent, dir, meta, spec);
    launching.set(dir, launch);
    return launch.finally(() => launching.delete(dir));
  }

  async waitReady(id: string, _timeoutMs: number): Promise<ContainerInfo> {
    // A local sandbox is ready when create returns; only a create still in flight is awaited.
    await this.launchOf(id);
    const info = await this.get(id);
    if (info === undefined) throw notFound(id);
    if (info.status === "failed")
      throw new HubError("container_failed", `container ${id} failed: ${info.message ?? "unknown"}`);
    return info;
  }

  async get(id: string): Promise<ContainerInfo | undefined> {
    const meta = await this.index.get(id);
    return meta && (await this.toInfo(meta));
  }

  async extend(id: string, expiresAt: Date): Promise<ContainerInfo | undefined> {
    // A create still launching rewrites meta.json once ready; waiting for it keeps that write from undoing this one.
    await this.launchOf(id);
    const meta = await this.index.get(id);
    if (meta === undefined) return undefined;
    const extended = { ...meta, expiresAt: expiresAt.toISOString() };
    try {
      writeMeta(this.settings.root, extended);
      this.index.set(extended);
    } catch (error) {
      if (isMissing(error)) return undefined; // deleted meanwhile: its directory is gone
      throw storageError(error, this.settings.root) ?? error;
    }
    return this.toInfo(extended);
  }

  async list(): Promise<ContainerInfo[]> {
    await this.ensureStarted();
    const metas = await this.index.list();
    return Promise.all(metas.map((meta) => this.toInfo(meta)));
  }

  async delete(id: string): Promise<boolean> {
    await this.ensureStarted();
    // A create in flight records its init when ready: then the delete knows what to kill.
    await this.launchOf(id);
    const meta = await this.index.get(id);
    if (meta === undefined) return false;
    const removed = await this.deleteFolder(sandboxDir(this.settings.root, id), meta);
    this.index.remove(id);
    if (meta.initPid !== undefined) this.liveness.forget(meta.initPid);
    await this.relays.stop(id);
    return removed;
  }

  /**
   * Accounts for everything under HUB_LOCAL_ROOT that a Hub stopped mid-way left behind (folders
   * without meta.json, abandoned creates, half-done deletes, processes whose folder is gone).
   * Runs at start and on each reaper pass.
   */
  async reconcile(): Promise<void> {
    await this.ensureStarted();
    await reconcile(this.reconcileContext());
    await this.index.rescan();
  }

  async writeFiles(id: string, files: readonly FileToWrite[]): Promise<void> {
    const meta = await this.enterableMeta(id);
    // tar runs inside the sandbox as its user: a symlink planted there cannot reach the host.
    const stdin = await tarArchive(files);
    const result = await runInCgroup(this.cgroups, id, (cgroupProcs) => ({
      argv: [
        ...this.enterCommand(meta, cgroupProcs, SANDBOX_HOME, { PATH: SANDBOX_PATH }),
        "tar",
        "-x",
        "-p",
        "--no-same-owner",
        "-f",
        "-",
      ],
      env: HOST_TOOLS_ENV,
      timeoutMs: WRITE_FILES_TIMEOUT_MS,
      maxOutputBytes: WRITE_FILES_OUTPUT_BYTES,
      stdin,
    }));
    if (result.exitCode !== 0) {
      await this.runningMeta(id); // deleted or stopped meanwhile: say so, not "tar failed"
      throw new HubError(
        "invalid_request",
        `cannot write the files: ${result.stderr.trim() || "tar failed"}`,
      );
    }
  }

  async run(id: string, request: RunRequest): Promise<RunResult> {
    const meta = await this.enterableMeta(id);
    const [program, ...args] = request.command;
    if (program === undefined) throw new HubError("invalid_request", "command must name a program");
    const env = { PATH: SANDBOX_PATH, HOME: SANDBOX_HOME, LANG: "C.UTF-8", ...meta.env, ...request.env };
    const result = await runInCgroup(this.cgroups, id, (cgroupProcs) => ({
      argv: [...this.enterCommand(meta, cgroupProcs, insideHome(request.cwd), env), program, ...args],
      env: HOST_TOOLS_ENV,
      timeoutMs: request.timeoutMs,
      maxOutputBytes: request.maxOutputBytes,
    }));
    // A failure may be the sandbox's, not the command's: deleted during the run (exit 137), or its
    // processes killed so the launcher could not enter. Then answer 404 / 409, never the launcher's words.
    if (result.exitCode !== 0) await this.runningMeta(id);
    return result;
  }

  async portTarget(container: ContainerInfo, port: number): Promise<PortTarget> {
    if (this.settings.network === "host") return addressTarget(container, port);
    const meta = await this.runningMeta(container.id);
    return this.relays.target(meta, sandboxDir(this.settings.root, meta.id), port);
  }

  async ping(): Promise<void> {
    await this.ensureStarted();
    await this.root.checkWritable();
  }

  async close(): Promise<void> {
    await this.scratchWatch.stop();
    // Sandboxes outlive the Hub on purpose; only creates in flight and deletes' teardowns are awaited.
    const under = `${this.settings.root}/`;
    await Promise.allSettled(
      [...launching].filter(([dir]) => dir.startsWith(under)).map(([, launch]) => launch),
    );
    await teardownsDone();
    await this.relays.close();
    await this.cgroups?.release();
  }

  /** The root exists; the first call per Hub also reconciles what a previous Hub left there. */
  private ensureStarted(): Promise<void> {
    this.started ??= (async () => {
      await this.root.make();
      const source = findLauncherSource(launcherSearchStarts(this.context.codeDirectory));
      this.launcher = await buildLauncher({ source });
      this.disableUserns = await bwrapCanDisableUserns();
      if (!this.disableUserns)
        this.context.logger.warn(
          "this bubblewrap has no --disable-userns (before 0.8.0): sandboxes can make user namespaces of their own; upgrade bubblewrap",
        );
      this.cgroups = await startCgroups(this.settings.root, this.context.logger, this.settings.cgroups);
      await reconcile(this.reconcileContext()).catch((error: unknown) =>
        this.context.logger.warn({ err: error }, "could not reconcile HUB_LOCAL_ROOT at start"),
      );
      await this.index.rescan();
      this.scratchWatch.start();
    })();
    this.started.catch(() => (this.started = undefined));
    return this.started;
  }

  private reconcileContext(): DeleteParts {
    return { root: this.root, claims: this.claims, logger: this.context.logger, cgroups: this.cgroups };
  }

  private deleteFolder(directory: string, meta: SandboxMeta): Promise<boolean> {
    return deleteSandbox(this.reconcileContext(), directory, meta);
  }

  /** Where each hidden path is covered: once per Hub (a folder's mode changed later needs a restart). */
  private hidingPoints(): Promise<string[]> {
    this.hiding ??= hidingPoints(this.hiddenPaths, sandboxCanSearch(hubIsRoot()));
    return this.hiding;
  }

  private async launchOf(id: string): Promise<void> {
    await launching.get(sandboxDir(this.settings.root, id))?.catch(() => undefined);
  }

  private async launch(
    parent: string,
    dir: string,
    meta: SandboxMeta,
    spec: ContainerSpec,
  ): Promise<{ info: ContainerInfo; meta: SandboxMeta }> {
    const layout: SandboxLayout = {
      workDir: join(dir, "work"),
      tmpDir: join(dir, "tmp"),
      hiddenPaths: await this.hidingPoints(),
      network: this.settings.network,
      hostname: spec.id,
      shmBytes: meta.memoryMiB * 1024 * 1024,
      disableUserns: this.disableUserns,
    };
    const limits = this.limitsOf(meta);
    let launched: SandboxMeta;
    try {
      const target = { launcher: this.launcher, limits, ...this.newCgroup(meta) };
      // Timings count from the request (createdAt), like `accepted`: the folder's making is in them.
      const launchedAfter = sinceCreated(spec);
      const sandbox = await launchSandbox(dir, layout, target, LAUNCH_TIMEOUT_MS);
      const initStartTime = processStartTimeOrThrow(sandbox.initPid);
      trackExit(sandbox.initPid, initStartTime, sandbox.exited);
      this.liveness.verified(sandbox.initPid, initStartTime);
      launched = {
        ...meta,
        initPid: sandbox.initPid,
        initStartTime,
        readyAt: new Date().toISOString(),
        timings: {
          ...meta.timings,
          started: Math.round(launchedAfter + sandbox.startedMs),
          ready: Math.round(launchedAfter + sandbox.readyMs),
        },
      };
    } catch (error) {
      this.context.logger.warn({ err: error, id: spec.id }, "local sandbox failed to start");
      launched = { ...meta, failure: (error as Error).message };
    }
    try {
      writeMeta(parent, launched);
      if (parent === this.settings.root) this.index.set(launched);
    } catch (error) {
      // Gone while starting, or a full disk: do not leave a sandbox nobody can list or whose record says pending.
      await killSandbox(launched);
      await this.deleteFolder(dir, launched).catch(() => false);
      this.index.remove(launched.id);
      throw storageError(error, this.settings.root) ?? error;
    }
    return { info: await this.toInfo(launched), meta: launched };
  }

  /** How the launcher makes the new sandbox's cgroup with its limits and starts its init inside. */
  private newCgroup(meta: SandboxMeta): Pick<LaunchTarget, "cgroupProcs" | "cgroupSetup"> {
    if (this.cgroups === undefined) return { cgroupProcs: [] };
    const limits = { memoryMiB: meta.memoryMiB, cpu: meta.cpu, maxProcesses: this.settings.maxProcesses };
    const { procs, ...cgroupSetup } = this.cgroups.creation(meta.id, limits);
    return { cgroupProcs: procs, cgroupSetup };
  }

  private limitsOf(meta: SandboxMeta): SandboxLimits {
    return {
      // pids.max holds a sandbox with a cgroup; RLIMIT_NPROC, counted per host uid, one without.
      ...(this.cgroups === undefined ? { maxProcesses: this.settings.maxProcesses } : {}),
      memoryMiB: meta.memoryMiB,
      fileBytes: this.scratchLimit.bytes,
      ...(meta.hostUid === undefined ? {} : { hostUid: meta.hostUid }),
    };
  }

  /** A command entering the sandbox gets the sandbox's rlimits too: setns does not take them from its init. */
  private enterCommand(
    meta: StartedMeta,
    cgroupProcs: readonly string[],
    cwd: string,
    env: Readonly<Record<string, string>>,
  ): [string, ...string[]] {
    const target = { launcher: this.launcher, limits: this.limitsOf(meta), cgroupProcs };
    return enterArguments(target, meta, cwd, env);
  }

  /** A sandbox that is running now, by the exact check (its init's pid and start time in /proc). */
  private async runningMeta(id: string): Promise<StartedMeta> {
    await this.ensureStarted();
    const meta = await this.index.get(id);
    return requireRunning(id, meta, meta !== undefined && (await isAlive(meta)));
  }

  /**
   * A sandbox to run a command in, by the cheap check (init-liveness.ts): hub-launch checks the init's
   * start time itself once it holds the namespaces, and a failed command is checked exactly after.
   */
  private async enterableMeta(id: string): Promise<StartedMeta> {
    await this.ensureStarted();
    const meta = await this.index.get(id);
    const alive =
      meta?.initPid !== undefined &&
      meta.initStartTime !== undefined &&
      (await this.liveness.isAlive(meta.initPid, meta.initStartTime));
    return requireRunning(id, meta, alive);
  }

  /** This Hub's running sandboxes and their folders, for the scratch watch. */
  private async runningFolders(): Promise<Map<string, string>> {
    const running = (await this.index.list()).filter(
      (meta) => meta.initPid !== undefined && meta.failure === undefined,
    );
    return new Map(running.map((meta) => [meta.id, sandboxDir(this.settings.root, meta.id)]));
  }

  /**
   * Stops a sandbox past its disk limit and frees its files, as the kubelet evicts a pod past an
   * emptyDir's sizeLimit and removes the volume: the container reads `failed` with the reason until
   * it is deleted or expires, and nothing can run in it.
   */
  private async evict(id: string, used: ScratchUse): Promise<void> {
    await this.launchOf(id);
    const meta = await this.index.get(id);
    if (meta?.initPid === undefined || meta.failure !== undefined) return;
    const evicted = {
      ...meta,
      failure: `evicted: its files in ${SANDBOX_HOME} and /tmp took ${Math.ceil(used.bytes / MIB)} MiB of disk and ${used.inodes} inodes, past its ${this.settings.scratchMiB} MiB or ${this.scratchLimit.inodes} inodes (HUB_LOCAL_SCRATCH_MIB); its processes were stopped and those files removed`,
    };
    try {
      writeMeta(this.settings.root, evicted);
    } catch (error) {
      if (isMissing(error)) return; // deleted meanwhile: the delete frees everything
      throw error;
    }
    this.index.set(evicted);
    await killSandbox(meta);
    this.liveness.forget(meta.initPid);
    await this.relays.stop(id);
    const dir = sandboxDir(this.settings.root, id);
    await Promise.all(
      SCRATCH_FOLDERS.map((folder) => removeInBackground(join(dir, folder), this.context.logger)),
    );
  }

  private toInfo(meta: SandboxMeta): Promise<ContainerInfo> {
    // The cheap liveness checks: list and get at a thousand containers read no /proc file per call,
    // and make no syscall for the sandboxes this process launched (kill(pid, 0) took 2 ms of a list).
    return sandboxInfo(
      meta,
      this.settings.network === "host",
      (started) =>
        launchedAndRunning(started.initPid, started.initStartTime) ||
        this.liveness.isAlive(started.initPid, started.initStartTime),
    );
  }
}

function sinceCreated(spec: ContainerSpec): number {
  return Date.now() - spec.createdAt.getTime();
}

/** Read synchronously: from the ready line to the answer a create waits for no turn of the event loop (sandbox-root.ts). */
function processStartTimeOrThrow(pid: number): string {
  const startTime = processStartTimeNow(pid);
  if (startTime === undefined) throw new Error(`the sandbox's init (pid ${pid}) exited at once`);
  return startTime;
}
