import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { access, chmod, chown, constants, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HubError, notFound } from "../../errors.js";
import type {
  ContainerInfo,
  ContainerSpec,
  FileToWrite,
  Orchestrator,
  OrchestratorContext,
  RunRequest,
  RunResult,
} from "../types.js";
import type { LocalSettings } from "./env.js";
import { requireHostTools } from "./host-tools.js";
import { hubIsRoot, pickHostUid } from "./host-uids.js";
import { launchSandbox } from "./launch.js";
import { listSandboxIds, readMeta, sandboxDir, writeMeta, type SandboxMeta } from "./meta.js";
import { isSameProcessAlive, processStartTime } from "./process-info.js";
import { runProcess } from "./run-process.js";
import {
  enterArguments,
  HOST_TOOLS_ENV,
  HOST_TOOLS_PATH,
  insideHome,
  projectDirectory,
  rlimitArguments,
  SANDBOX_HOME,
  SANDBOX_PATH,
  type SandboxLayout,
  type SandboxLimits,
} from "./sandbox-args.js";
import { tarArchive } from "../tar-archive.js";
import { waitUntilGone } from "./wait-until-gone.js";

/** The only image a local sandbox has: the host's own programs, seen read-only. */
export const LOCAL_IMAGE = "host";
// Generous: bwrap starts a sandbox in ~10 ms; a loaded CI machine may take far longer.
const LAUNCH_TIMEOUT_MS = 30_000;
const WRITE_FILES_TIMEOUT_MS = 60_000;
// tar's own messages are enough to say what went wrong with a file; more is noise.
const WRITE_FILES_OUTPUT_BYTES = 4096;
const KILL_WAIT_MS = 10_000;

export interface LocalOrchestratorDeps {
  /** Host paths hidden inside sandboxes besides /root, /home and HUB_LOCAL_ROOT (default: the Hub's project). */
  readonly hiddenPaths?: readonly string[];
}

/**
 * Sandboxes on this machine with bubblewrap. Why `nsenter` into a kept-alive sandbox rather
 * than an agent inside it: nothing of the Hub runs inside the sandbox that a student could
 * break or talk to, a command joins exactly the namespaces of the running sandbox (its files,
 * /tmp and background processes), and it costs no resident process per sandbox; measured here
 * a `ls /` run takes a few ms (hub-app/bench/local.ts). The README's "Local sandbox isolation" says what it isolates.
 */
export class LocalOrchestrator implements Orchestrator {
  readonly kind = "local" as const;
  readonly placements = ["local"] as const;
  private readonly hiddenPaths: readonly string[];
  private readonly launching = new Map<string, Promise<unknown>>();
  private readonly reservedUids = new Set<number>();
  private hostChecked: Promise<void> | undefined;

  constructor(
    private readonly settings: LocalSettings,
    private readonly context: OrchestratorContext,
    deps: LocalOrchestratorDeps = {},
  ) {
    this.hiddenPaths = [
      settings.root,
      // The Hub's own project, found from this file rather than the working directory, which may be anywhere.
      ...(deps.hiddenPaths ?? [projectDirectory(import.meta.dirname, existsSync)]),
    ];
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    if (spec.image !== LOCAL_IMAGE) {
      throw new HubError(
        "invalid_request",
        `image must be "${LOCAL_IMAGE}" with the local orchestrator (got "${spec.image}"): local sandboxes run the host's own programs`,
      );
    }
    const dir = await this.makeSandboxDirs(spec.id);
    const hostUid = hubIsRoot() ? await this.reserveHostUid() : undefined;
    try {
      if (hostUid !== undefined)
        await Promise.all(["work", "tmp"].map((name) => chown(join(dir, name), hostUid, hostUid)));
      const meta: SandboxMeta = {
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
        timings: { accepted: sinceCreated(spec) },
      };
      await writeMeta(this.settings.root, meta);
      const launch = this.launch(dir, meta, spec);
      this.launching.set(spec.id, launch);
      return await launch.finally(() => this.launching.delete(spec.id));
    } finally {
      if (hostUid !== undefined) this.reservedUids.delete(hostUid);
    }
  }

  async waitReady(id: string, _timeoutMs: number): Promise<ContainerInfo> {
    // A local sandbox is ready when create returns; only a create still in flight is awaited.
    await this.launching.get(id)?.catch(() => undefined);
    const info = await this.get(id);
    if (info === undefined) throw notFound(id);
    if (info.status === "failed")
      throw new HubError("container_failed", `container ${id} failed: ${info.message ?? "unknown"}`);
    return info;
  }

  async get(id: string): Promise<ContainerInfo | undefined> {
    const meta = await this.ownMeta(id);
    return meta && (await this.toInfo(meta));
  }

  async extend(id: string, expiresAt: Date): Promise<ContainerInfo | undefined> {
    // A create still launching rewrites meta.json once ready; waiting for it keeps that write from undoing this one.
    await this.launching.get(id)?.catch(() => undefined);
    const meta = await this.ownMeta(id);
    if (meta === undefined) return undefined;
    const extended = { ...meta, expiresAt: expiresAt.toISOString() };
    try {
      await writeMeta(this.settings.root, extended);
    } catch {
      return undefined; // deleted meanwhile: its directory is gone
    }
    return this.toInfo(extended);
  }

  async list(): Promise<ContainerInfo[]> {
    const ids = await listSandboxIds(this.settings.root);
    const metas = await Promise.all(ids.map((id) => this.ownMeta(id)));
    const own = metas.filter((meta): meta is SandboxMeta => meta !== undefined);
    return Promise.all(own.map((meta) => this.toInfo(meta)));
  }

  async delete(id: string): Promise<boolean> {
    const meta = await this.ownMeta(id);
    if (meta === undefined) return false;
    // Renaming first makes a concurrent second delete see nothing, and hides it from list at once.
    const doomed = join(this.settings.root, `.deleting-${id}-${randomUUID()}`);
    try {
      await rename(sandboxDir(this.settings.root, id), doomed);
    } catch {
      return false;
    }
    await this.killSandbox(meta);
    await rm(doomed, { recursive: true, force: true });
    return true;
  }

  async writeFiles(id: string, files: readonly FileToWrite[]): Promise<void> {
    const meta = await this.runningMeta(id);
    // tar runs inside the sandbox as its user: a symlink planted there cannot reach the host.
    const result = await runProcess({
      argv: [
        ...this.enterCommand(meta, SANDBOX_HOME, { PATH: SANDBOX_PATH }),
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
      stdin: await tarArchive(files),
    });
    if (result.exitCode !== 0) {
      await this.runningMeta(id); // deleted or stopped meanwhile: say so, not "tar failed"
      throw new HubError(
        "invalid_request",
        `cannot write the files: ${result.stderr.trim() || "tar failed"}`,
      );
    }
  }

  async run(id: string, request: RunRequest): Promise<RunResult> {
    const meta = await this.runningMeta(id);
    const [program, ...args] = request.command;
    if (program === undefined) throw new HubError("invalid_request", "command must name a program");
    const result = await runProcess({
      argv: [
        ...this.enterCommand(meta, insideHome(request.cwd), {
          PATH: SANDBOX_PATH,
          HOME: SANDBOX_HOME,
          LANG: "C.UTF-8",
          ...meta.env,
          ...request.env,
        }),
        program,
        ...args,
      ],
      env: HOST_TOOLS_ENV,
      timeoutMs: request.timeoutMs,
      maxOutputBytes: request.maxOutputBytes,
    });
    // A failure may be the sandbox's, not the command's: deleted during the run (exit 137), or its
    // processes killed so nsenter could not enter. Then answer 404 / 409, never nsenter's words.
    if (result.exitCode !== 0) await this.runningMeta(id);
    return result;
  }

  async ping(): Promise<void> {
    await this.ensureRoot();
    await access(this.settings.root, constants.W_OK);
  }

  async close(): Promise<void> {
    // Sandboxes outlive the Hub on purpose; only creates in flight are awaited.
    await Promise.allSettled(this.launching.values());
  }

  private async makeSandboxDirs(id: string): Promise<string> {
    await this.ensureRoot();
    const dir = sandboxDir(this.settings.root, id);
    try {
      // 0711: the sandbox's own uid must pass through to bind its directories; nobody may list them.
      await mkdir(dir, { mode: 0o711 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST")
        throw new HubError("conflict", `container ${id} already exists`);
      throw error;
    }
    await Promise.all(["work", "tmp"].map((name) => mkdir(join(dir, name), { mode: 0o700 })));
    return dir;
  }

  /** HUB_LOCAL_ROOT must let each sandbox's own uid pass through (search, not list) to its directories. */
  private async ensureRoot(): Promise<void> {
    await mkdir(this.settings.root, { recursive: true, mode: 0o711 });
    const { mode } = await stat(this.settings.root);
    if ((mode & 0o011) !== 0o011) await chmod(this.settings.root, (mode & 0o7777) | 0o011);
    // Once per Hub, off the create path: a tool installed or a folder opened later needs a restart.
    this.hostChecked ??= this.checkHost();
    await this.hostChecked;
  }

  private async checkHost(): Promise<void> {
    await requireHostTools(HOST_TOOLS_PATH);
    if (hubIsRoot()) await this.checkAncestorsSearchable();
  }

  /** Each sandbox runs as its own host uid, which must pass through every folder above HUB_LOCAL_ROOT. */
  private async checkAncestorsSearchable(): Promise<void> {
    for (let dir = dirname(this.settings.root); ; dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) {
        throw new HubError(
          "orchestrator_unavailable",
          `HUB_LOCAL_ROOT ${this.settings.root} is below ${dir} (mode ${(mode & 0o777).toString(8)}), which other users cannot pass through; each sandbox runs as its own uid and needs to: chmod o+x ${dir} or choose another HUB_LOCAL_ROOT`,
        );
      }
      if (dir === dirname(dir)) return;
    }
  }

  private async reserveHostUid(): Promise<number> {
    const ids = await listSandboxIds(this.settings.root);
    const metas = await Promise.all(ids.map((id) => readMeta(this.settings.root, id)));
    const taken = new Set([
      ...this.reservedUids,
      ...metas.flatMap((meta) => (meta?.hostUid === undefined ? [] : [meta.hostUid])),
    ]);
    const uid = pickHostUid(taken);
    this.reservedUids.add(uid);
    return uid;
  }

  private async launch(dir: string, meta: SandboxMeta, spec: ContainerSpec): Promise<ContainerInfo> {
    const layout: SandboxLayout = {
      workDir: join(dir, "work"),
      tmpDir: join(dir, "tmp"),
      hiddenPaths: this.hiddenPaths,
      network: this.settings.network,
      hostname: spec.id,
    };
    const limits = this.limitsOf(meta);
    let launched: SandboxMeta;
    try {
      const sandbox = await launchSandbox(dir, layout, limits, LAUNCH_TIMEOUT_MS);
      const initStartTime = await processStartTimeOrThrow(sandbox.initPid);
      const accepted = meta.timings.accepted ?? 0;
      launched = {
        ...meta,
        initPid: sandbox.initPid,
        initStartTime,
        readyAt: new Date().toISOString(),
        timings: {
          ...meta.timings,
          started: Math.round(accepted + sandbox.startedMs),
          ready: Math.round(accepted + sandbox.readyMs),
        },
      };
    } catch (error) {
      this.context.logger.warn({ err: error, id: spec.id }, "local sandbox failed to start");
      launched = { ...meta, failure: (error as Error).message };
    }
    try {
      await writeMeta(this.settings.root, launched);
    } catch (error) {
      // Deleted while starting: do not leave a sandbox nobody can list.
      await this.killSandbox(launched);
      throw error;
    }
    return this.toInfo(launched);
  }

  private limitsOf(meta: SandboxMeta): SandboxLimits {
    return {
      maxProcesses: this.settings.maxProcesses,
      memoryMiB: meta.memoryMiB,
      ...(meta.hostUid === undefined ? {} : { hostUid: meta.hostUid }),
    };
  }

  /** A command entering the sandbox gets the sandbox's rlimits too: nsenter does not take them from its init. */
  private enterCommand(
    meta: SandboxMeta & { initPid: number },
    cwd: string,
    env: Readonly<Record<string, string>>,
  ): [string, ...string[]] {
    return [...rlimitArguments(this.limitsOf(meta)), ...enterArguments(meta.initPid, cwd, env)] as [
      string,
      ...string[],
    ];
  }

  private async ownMeta(id: string): Promise<SandboxMeta | undefined> {
    const meta = await readMeta(this.settings.root, id);
    return meta?.instance === this.context.instance ? meta : undefined;
  }

  private async runningMeta(id: string): Promise<SandboxMeta & { initPid: number }> {
    const meta = await this.ownMeta(id);
    if (meta === undefined) throw notFound(id);
    if (
      meta.initPid === undefined ||
      meta.initStartTime === undefined ||
      !(await isSameProcessAlive(meta.initPid, meta.initStartTime))
    ) {
      throw new HubError("conflict", `container ${id} is not running`);
    }
    return meta as SandboxMeta & { initPid: number };
  }

  private async killSandbox(meta: SandboxMeta): Promise<void> {
    if (meta.initPid === undefined || meta.initStartTime === undefined) return;
    if (!(await isSameProcessAlive(meta.initPid, meta.initStartTime))) return;
    try {
      // Killing pid 1 of a pid namespace kills every process in it (pid_namespaces(7)).
      process.kill(meta.initPid, "SIGKILL");
    } catch {
      return;
    }
    await waitUntilGone(meta.initPid, meta.initStartTime, KILL_WAIT_MS);
  }

  private async toInfo(meta: SandboxMeta): Promise<ContainerInfo> {
    const base = {
      id: meta.id,
      placement: "local" as const,
      image: meta.image,
      cpu: meta.cpu,
      memory: meta.memoryMiB,
      ...(this.settings.network === "host" ? { ip: "127.0.0.1" } : {}),
      createdAt: meta.createdAt,
      expiresAt: meta.expiresAt,
      timings: meta.timings,
    };
    if (meta.failure !== undefined) return { ...base, status: "failed", message: meta.failure };
    if (meta.initPid === undefined || meta.initStartTime === undefined) return { ...base, status: "pending" };
    const alive = await isSameProcessAlive(meta.initPid, meta.initStartTime);
    return alive
      ? { ...base, status: "running", ...(meta.readyAt === undefined ? {} : { readyAt: meta.readyAt }) }
      : { ...base, status: "failed", message: "the sandbox's processes have exited" };
  }
}

function sinceCreated(spec: ContainerSpec): number {
  return Date.now() - spec.createdAt.getTime();
}

async function processStartTimeOrThrow(pid: number): Promise<string> {
  const startTime = await processStartTime(pid);
  if (startTime === undefined) throw new Error(`the sandbox's init (pid ${pid}) exited at once`);
  return startTime;
}
