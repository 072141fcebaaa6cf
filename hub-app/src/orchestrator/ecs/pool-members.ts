/**
 * Warm-pool members on ECS: Fargate tasks tagged `sandbox.hub/warm-pool` and
 * `sandbox.hub/warm-owner`, started like any sandbox but without an expiry.
 *
 * ECS has no conditional write (TagResource always succeeds, last writer wins), so two replicas
 * could both "claim" one task by tagging it. Members are therefore partitioned by owner, and the
 * claim is safe by construction rather than by a compare-and-swap:
 *
 * 1. Only the replica that started a member (its owner tag) ever claims it, and that replica
 *    serialises its own claims and deletes in memory (`busy`, checked and set with no await in
 *    between, on Node's single thread). So no two claims of one member ever run.
 * 2. A claim writes the claim's tags (expiry, env, ports) first and removes the pool and owner
 *    tags second, and answers its caller only after both. A task that still has its pool tag was
 *    never handed to anyone; one that has the pool tag and an expiry was half-claimed (the claim
 *    failed or its replica died between the two calls) and is stopped, never claimed.
 * 3. Members of a replica that is gone (its task STOPPED: it can never make another call) are
 *    stopped by whichever replica notices, not adopted: adopting would need every live replica to
 *    agree on one adopter, which takes the atomic write ECS lacks. Stopping twice is harmless.
 *    A restarted Hub on ECS is a new task, so it refills its pool; the old members are stopped.
 *
 * So a member is handed out at most once, and every member either is claimed, or is stopped by
 * its owner (shrink, recycle, failure) or by a peer once its owner is gone: none leaks.
 */
import { UntagResourceCommand, TagResourceCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import type { Logger } from "pino";
import type { ContainerInfo, ContainerSpec, PoolClaim, PoolClaimResult, PoolMember } from "../types.js";
import { claimTags, isHalfClaimed, isMember, memberTags, retagged } from "./claim-tags.js";
import { callEcs } from "./errors.js";
import type { PoolOwnership } from "./pool-owner.js";
import type { EcsSettings } from "./settings.js";
import { runTaskInput, stopMessage, TAG, tagValue, taskStatus, taskToInfo } from "./task-info.js";
import type { SandboxTasks } from "./tasks.js";

/** How often all of this Hub's tasks are listed to find members of replicas that are gone (and, outside ECS, adopt its own). */
export const ORPHAN_SCAN_INTERVAL_MS = 60_000;

export interface EcsPoolDeps {
  readonly ecs: ECSClient;
  readonly now: () => number;
  readonly settings: EcsSettings;
  readonly instance: string;
  readonly tasks: SandboxTasks;
  readonly ownership: PoolOwnership;
  readonly logger: Logger;
}

export class EcsPoolMembers {
  /** Members this replica owns: id -> task ARN. */
  private readonly own = new Map<string, string>();
  /** Members of replicas that are gone, found by the scan: id -> task, to be stopped. */
  private readonly orphans = new Map<string, Task>();
  /** Members with a claim or delete in flight in this process. */
  private readonly busy = new Set<string>();
  private lastScanMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: EcsPoolDeps) {}

  async create(pool: string, spec: ContainerSpec, definitionArn: string): Promise<PoolMember> {
    const { settings, instance, tasks } = this.deps;
    const owner = await this.deps.ownership.self();
    const member = { ...spec, env: {}, ports: [] };
    const input = {
      ...runTaskInput(settings, member, definitionArn, instance),
      tags: memberTags(member, instance, pool, owner),
    };
    const task = await tasks.run(spec.id, input);
    if (task.taskArn !== undefined) this.own.set(spec.id, task.taskArn);
    return toMember({ ...task, tags: task.tags ?? input.tags }, spec.id, pool);
  }

  async list(): Promise<PoolMember[]> {
    if (this.deps.now() - this.lastScanMs >= ORPHAN_SCAN_INTERVAL_MS) await this.scan();
    const tasks = await this.deps.tasks.describe([...this.own.values()]);
    const listed = new Set<string>();
    const members: PoolMember[] = [];
    for (const task of tasks) {
      const id = tagValue(task, TAG.id);
      const pool = tagValue(task, TAG.warmPool);
      if (id === undefined || pool === undefined || !this.own.has(id)) continue;
      listed.add(id);
      members.push(toMember(task, id, pool));
    }
    // Claimed, or long gone from ECS: no longer members.
    for (const id of this.own.keys()) if (!listed.has(id) && !this.busy.has(id)) this.own.delete(id);
    for (const [id, task] of this.orphans) members.push(orphan(task, id));
    return members;
  }

  async claim(member: PoolMember, claim: PoolClaim): Promise<{ result: PoolClaimResult; task?: Task }> {
    const arn = this.own.get(member.id);
    // Another replica's member, or one this replica is already claiming or deleting.
    if (arn === undefined || this.busy.has(member.id)) return { result: { outcome: "lost" } };
    this.busy.add(member.id);
    try {
      const [task] = await this.deps.tasks.describe([arn]);
      if (task === undefined || !isMember(task) || isHalfClaimed(task) || taskStatus(task) !== "running")
        return { result: { outcome: "lost" } };
      const written = claimTags(claim, task.tags?.length ?? 0);
      if (written === undefined)
        return { result: { outcome: "unsuitable", reason: "env too large for the task's tags" } };
      await this.tag(arn, written);
      try {
        await this.untag(arn, [TAG.warmPool, TAG.warmOwner]);
      } catch (error) {
        // Half-claimed: it must never be claimed now, nor handed out; stop it.
        await this.deps.tasks.stop(task).catch(() => undefined);
        this.own.delete(member.id);
        throw error;
      }
      this.own.delete(member.id);
      const claimed = retagged(task, written, [TAG.warmPool, TAG.warmOwner]);
      const info: ContainerInfo | undefined = taskToInfo(claimed, this.deps.instance);
      if (info === undefined) return { result: { outcome: "lost" } };
      return { result: { outcome: "claimed", info }, task: claimed };
    } finally {
      this.busy.delete(member.id);
    }
  }

  async delete(member: PoolMember): Promise<boolean> {
    const arn = this.own.get(member.id) ?? this.orphans.get(member.id)?.taskArn;
    if (arn === undefined || this.busy.has(member.id)) return false;
    this.busy.add(member.id);
    try {
      await this.deps.tasks.stop({ taskArn: arn });
      this.own.delete(member.id);
      this.orphans.delete(member.id);
      return true;
    } finally {
      this.busy.delete(member.id);
    }
  }

  /** Lists every task of this Hub: adopts members owned by this replica's name, collects those of gone replicas. */
  private async scan(): Promise<void> {
    const self = await this.deps.ownership.self();
    const tasks = await this.deps.tasks.listMine("RUNNING");
    const goneOwners = new Map<string, boolean>();
    for (const task of tasks) {
      const id = tagValue(task, TAG.id);
      const owner = tagValue(task, TAG.warmOwner);
      if (id === undefined || owner === undefined || !isMember(task) || task.taskArn === undefined) continue;
      if (owner === self) {
        this.own.set(id, task.taskArn);
        continue;
      }
      if (!goneOwners.has(owner)) goneOwners.set(owner, await this.deps.ownership.isGone(owner));
      if (goneOwners.get(owner) === true) this.orphans.set(id, task);
    }
    this.lastScanMs = this.deps.now();
  }

  private tag(arn: string, tags: NonNullable<ReturnType<typeof claimTags>>): Promise<unknown> {
    return callEcs("TagResource", () =>
      this.deps.ecs.send(new TagResourceCommand({ resourceArn: arn, tags })),
    );
  }

  private untag(arn: string, tagKeys: string[]): Promise<unknown> {
    return callEcs("UntagResource", () =>
      this.deps.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys })),
    );
  }
}

function toMember(task: Task, id: string, pool: string, failure?: string): PoolMember {
  const halfClaimed = isHalfClaimed(task);
  const status = failure !== undefined || halfClaimed ? "failed" : taskStatus(task);
  const message =
    failure ??
    (halfClaimed ? "a claim of it did not finish" : status === "failed" ? stopMessage(task) : undefined);
  const createdAt = new Date(tagValue(task, TAG.createdAt) ?? task.createdAt ?? 0);
  return {
    id,
    pool,
    status,
    createdAt: (Number.isNaN(createdAt.getTime()) ? new Date(0) : createdAt).toISOString(),
    version: task.taskArn ?? "",
    ...(message === undefined ? {} : { message }),
  };
}

function orphan(task: Task, id: string): PoolMember {
  return toMember(
    task,
    id,
    tagValue(task, TAG.warmPool) ?? "",
    "the Hub replica that started it has stopped",
  );
}
