/** The ECS orchestrator: sandboxes as Fargate tasks, commands and files through ECS Exec. */
import { DescribeClustersCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { HubError, notFound } from "../../errors.js";
import { markReady } from "../ready-now.js";
import { addressTarget } from "../address-target.js";
import type {
  ContainerInfo,
  ContainerSpec,
  FileToWrite,
  Orchestrator,
  OrchestratorContext,
  Placement,
  PoolClaim,
  PoolClaimResult,
  PoolMember,
  PortTarget,
  RunRequest,
  RunResult,
} from "../types.js";
import { claimedEnv } from "./claim-tags.js";
import { callEcs } from "./errors.js";
import { TaskExec, type OpenSession } from "./exec-runner.js";
import { fargateSizeFor } from "./fargate-sizes.js";
import { UPLOAD_OUTPUT_BYTES, expectUploaded, tarArchive, uploadScript } from "./file-upload.js";
import { EcsPoolMembers } from "./pool-members.js";
import { resolveOwner, taskOwnership, type PoolOwnership } from "./pool-owner.js";
import { newNonce } from "./run-script.js";
import type { EcsSettings } from "./settings.js";
import { TaskDefinitionRegistry } from "./task-definitions.js";
import { runTaskInput, sandboxTags, TAG, tagValue, taskToInfo } from "./task-info.js";
import { SandboxTasks } from "./tasks.js";

/** DescribeTasks polling while a task starts: a Fargate task takes tens of seconds to start (image pull, ENI), so back off to a few seconds. */
export interface ReadyPolling {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}
const DEFAULT_READY_POLLING: ReadyPolling = { initialDelayMs: 500, maxDelayMs: 3000 };
/** One upload's time limit: a 10 MiB archive at a few MB/s through the session, with room to spare. */
const UPLOAD_TIMEOUT_MS = 120_000;
/** Ids deleted by this Hub, remembered so a second delete of an already-failed task is a 404. */
const MAX_TOMBSTONES = 10_000;

export interface EcsParts {
  readonly ecs: ECSClient;
  /** Waits between DescribeTasks polls while a task starts. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly openSession?: OpenSession;
  readonly readyPolling?: ReadyPolling;
  /** Who owns this replica's warm-pool members; by default its task ARN from the ECS metadata endpoint. */
  readonly ownership?: PoolOwnership;
  /** Called by close(): releases the client when the orchestrator made it. */
  readonly release?: () => void;
}

export class EcsOrchestrator implements Orchestrator {
  readonly kind = "ecs" as const;
  readonly placements: readonly Placement[] = ["fargate"];
  private readonly definitions: TaskDefinitionRegistry;
  private readonly tasks: SandboxTasks;
  private readonly exec: TaskExec;
  private readonly tombstones = new Set<string>();
  private readonly members: EcsPoolMembers;
  /** Sandbox id -> the env a claim stored in its tags ({} for cold ones); immutable once claimed. */
  private readonly claimEnvs = new Map<string, Record<string, string>>();

  constructor(
    private readonly settings: EcsSettings,
    private readonly context: OrchestratorContext,
    private readonly parts: EcsParts,
  ) {
    this.definitions = new TaskDefinitionRegistry(parts.ecs, settings);
    this.tasks = new SandboxTasks(parts.ecs, settings, context.instance);
    this.exec = new TaskExec({ ...parts, settings });
    this.members = new EcsPoolMembers({
      ...parts,
      settings,
      instance: context.instance,
      tasks: this.tasks,
      logger: context.logger,
      ownership:
        parts.ownership ?? taskOwnership(parts.ecs, () => resolveOwner(process.env, context.instance)),
    });
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    const size = sizeFor(spec);
    const definitionArn = await this.definitions.arnFor({ image: spec.image, ...size });
    const task = await this.tasks.run(
      spec.id,
      runTaskInput(this.settings, spec, definitionArn, this.context.instance),
    );
    this.context.logger.info({ id: spec.id, taskArn: task.taskArn, ...size }, "sandbox task started");
    this.rememberEnv(spec.id, {});
    const info = taskToInfo(
      { ...task, tags: task.tags ?? sandboxTags(spec, this.context.instance) },
      this.context.instance,
    );
    if (info === undefined)
      throw new HubError(
        "internal",
        `ECS started task ${task.taskArn ?? "?"} but it does not read back as ${spec.id}`,
      );
    return info;
  }

  async waitReady(id: string, timeoutMs: number): Promise<ContainerInfo> {
    const { now, sleep } = this.parts;
    const polling = this.parts.readyPolling ?? DEFAULT_READY_POLLING;
    const deadline = now() + timeoutMs;
    for (let delay = polling.initialDelayMs; ; delay = Math.min(delay * 1.5, polling.maxDelayMs)) {
      const info = await this.get(id);
      if (info === undefined) throw notFound(id);
      if (info.status === "running") return markReady(info, now());
      if (info.status === "failed")
        throw new HubError(
          "container_failed",
          `sandbox ${id} failed to start: ${info.message ?? "no reason given"}`,
        );
      if (info.status === "terminating")
        throw new HubError("container_failed", `sandbox ${id} is stopping and will not become ready`);
      const left = deadline - now();
      if (left <= 0)
        throw new HubError("timeout", `sandbox ${id} was not ready for commands within ${timeoutMs} ms`);
      await sleep(Math.min(delay, left));
    }
  }

  async get(id: string): Promise<ContainerInfo | undefined> {
    if (this.tombstones.has(id)) return undefined;
    const task = await this.tasks.find(id);
    return task === undefined ? undefined : taskToInfo(task, this.context.instance);
  }

  async list(): Promise<ContainerInfo[]> {
    const tasks = await this.tasks.listMine("RUNNING");
    for (const task of tasks) {
      const id = tagValue(task, TAG.id);
      if (id !== undefined) this.rememberEnv(id, claimedEnv(task));
    }
    return tasks
      .map((task) => taskToInfo(task, this.context.instance))
      .filter((info): info is ContainerInfo => info !== undefined && !this.tombstones.has(info.id));
  }

  async extend(id: string, expiresAt: Date): Promise<ContainerInfo | undefined> {
    if (this.tombstones.has(id)) return undefined;
    const task = await this.tasks.find(id);
    const info = task === undefined ? undefined : taskToInfo(task, this.context.instance);
    if (task === undefined || info === undefined || info.status === "terminating") return undefined;
    const retagged = await this.tasks.retag(task, TAG.expiresAt, expiresAt.toISOString());
    return taskToInfo(retagged, this.context.instance);
  }

  async delete(id: string): Promise<boolean> {
    if (this.tombstones.has(id)) return false;
    const task = await this.tasks.find(id);
    if (task === undefined || taskToInfo(task, this.context.instance) === undefined) return false;
    await this.tasks.stop(task);
    this.remember(id);
    this.claimEnvs.delete(id);
    return true;
  }

  async createPoolMember(pool: string, spec: ContainerSpec): Promise<PoolMember> {
    const definitionArn = await this.definitions.arnFor({ image: spec.image, ...sizeFor(spec) });
    return this.members.create(pool, spec, definitionArn);
  }

  listPoolMembers(): Promise<PoolMember[]> {
    return this.members.list();
  }

  async claimPoolMember(member: PoolMember, claim: PoolClaim): Promise<PoolClaimResult> {
    const { result, task } = await this.members.claim(member, claim);
    if (result.outcome === "claimed" && task !== undefined) {
      this.tasks.remember(task);
      this.rememberEnv(member.id, claim.env);
    }
    return result;
  }

  deletePoolMember(member: PoolMember): Promise<boolean> {
    return this.members.delete(member);
  }

  async run(id: string, request: RunRequest): Promise<RunResult> {
    return this.withReadyTask(id, async (taskArn, task) => {
      // A claimed pool member's env comes first, as a cold task's own env would (the request's wins).
      const env = { ...(await this.envOf(id, taskArn, task)), ...request.env };
      return this.exec.run(taskArn, { ...request, env });
    });
  }

  async writeFiles(id: string, files: readonly FileToWrite[]): Promise<void> {
    if (files.length === 0) return;
    const nonce = newNonce();
    const upload = uploadScript(await tarArchive(files), files, this.settings.workdir, nonce);
    const limits = { timeoutMs: UPLOAD_TIMEOUT_MS, maxOutputBytes: UPLOAD_OUTPUT_BYTES };
    await this.withReadyTask(id, async (taskArn) =>
      expectUploaded(await this.exec.runWithStdin(taskArn, upload, nonce, limits)),
    );
  }

  /** The task ENI's private IP: the sandbox security group admits the Hub's on the declared ports. */
  portTarget(container: ContainerInfo, port: number): Promise<PortTarget> {
    return Promise.resolve(addressTarget(container, port));
  }

  async ping(): Promise<void> {
    const { cluster } = this.settings;
    const result = await callEcs("DescribeClusters", () =>
      this.parts.ecs.send(new DescribeClustersCommand({ clusters: [cluster] })),
    );
    const status = result.clusters?.[0]?.status;
    if (status !== "ACTIVE") {
      throw new HubError(
        "orchestrator_unavailable",
        `ECS cluster ${cluster} is ${status ?? "missing"}, not ACTIVE`,
        5,
      );
    }
  }

  async close(): Promise<void> {
    this.parts.release?.();
    return Promise.resolve();
  }

  /**
   * Runs `work` on the sandbox's task. The hot path goes straight to ECS Exec with the task ARN
   * this Hub knows; only when that fails (or the ARN is unknown) is the task described, to
   * answer 404 / not ready / failed instead of a bare exec error.
   */
  private async withReadyTask<T>(id: string, work: (taskArn: string, task?: Task) => Promise<T>): Promise<T> {
    if (this.tombstones.has(id)) throw notFound(id);
    const known = this.tasks.knownArn(id);
    if (known !== undefined) {
      try {
        return await work(known);
      } catch (error) {
        if (error instanceof HubError && error.code === "throttled") throw error;
        const task = await this.tasks.find(id);
        this.explainNotReady(id, task);
        throw error;
      }
    }
    const task = await this.tasks.find(id);
    return work(this.explainNotReady(id, task), task);
  }

  /** The task ARN when the sandbox is ready for commands; otherwise the HubError that says why not. */
  private explainNotReady(id: string, task: Task | undefined): string {
    const info = task === undefined ? undefined : taskToInfo(task, this.context.instance);
    if (task?.taskArn === undefined || info === undefined) throw notFound(id);
    if (info.status === "failed")
      throw new HubError(
        "container_failed",
        `sandbox ${id} has stopped: ${info.message ?? "no reason given"}`,
      );
    if (info.status !== "running") {
      throw new HubError("conflict", `sandbox ${id} is ${info.status}, not ready for commands`);
    }
    return task.taskArn;
  }

  /** A claimed member's env: from memory, else from its tags (the task as just described, or described now). */
  private async envOf(id: string, taskArn: string, task: Task | undefined): Promise<Record<string, string>> {
    const known = this.claimEnvs.get(id);
    if (known !== undefined) return known;
    const described = task ?? (await this.tasks.describe([taskArn]))[0];
    const env = described === undefined ? {} : claimedEnv(described);
    this.rememberEnv(id, env);
    return env;
  }

  private rememberEnv(id: string, env: Record<string, string>): void {
    if (this.claimEnvs.size >= MAX_TOMBSTONES && !this.claimEnvs.has(id)) {
      const oldest = this.claimEnvs.keys().next().value;
      if (oldest !== undefined) this.claimEnvs.delete(oldest);
    }
    this.claimEnvs.set(id, env);
  }

  private remember(id: string): void {
    if (this.tombstones.size >= MAX_TOMBSTONES) {
      const oldest = this.tombstones.values().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
    this.tombstones.add(id);
  }
}

function sizeFor(spec: ContainerSpec) {
  try {
    return fargateSizeFor(spec.cpu, spec.memoryMiB);
  } catch (error) {
    throw new HubError("invalid_request", (error as Error).message);
  }
}
