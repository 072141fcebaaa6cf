/**
 * Warm pools: sandboxes started ahead of time per shape (image, cpu, memory, placement), handed
 * out by a claim when a create asks for exactly that shape, refilled in the background.
 *
 * The Hub keeps no pool state that matters: every pass lists the members on the orchestrator, so
 * a restarted Hub adopts the members it finds (never doubling the pool) and a pool removed from
 * the configuration has its members deleted. Claims are atomic on the orchestrator
 * (Orchestrator.claimPoolMember), so replicas sharing a pool never hand out one member twice;
 * what is kept here is only a cache of members believed ready, and the counters.
 */
import type { Logger } from "pino";
import { forEachLimited } from "../../concurrency.js";
import type {
  ContainerInfo,
  ContainerSpec,
  Orchestrator,
  Placement,
  PoolMember,
} from "../../orchestrator/types.js";
import { planPool } from "./plan.js";
import { describeShape, poolKey, type WarmPoolSpec } from "./pool-spec.js";
import type { PoolMetrics } from "./pool-metrics.js";
import { PoolSchedule } from "./schedule.js";

/** Starts and deletes run this many at a time: a refill of 100 does not fire 100 API calls at once. */
const CONCURRENT_CHANGES = 8;
/** A pool whose members keep failing (a bad image) waits up to this long before it starts more. */
const MAX_BACKOFF_MS = 300_000;

export interface PoolStatus {
  readonly pool: string;
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly placement: Placement;
  readonly size: number;
  readonly ready: number;
  readonly starting: number;
  readonly claimsTotal: number;
  readonly missesTotal: number;
  readonly lastError?: string;
}

interface PoolState {
  readonly key: string;
  readonly spec: WarmPoolSpec & { readonly placement: Placement };
  ready: PoolMember[];
  starting: number;
  claims: number;
  misses: number;
  failures: number;
  startAfterMs: number;
  lastError?: string;
}

export interface WarmPoolsDeps {
  readonly orchestrator: Orchestrator;
  readonly pools: readonly WarmPoolSpec[];
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly metrics: PoolMetrics;
  /** Member ids (cnt-...), chosen like container ids. */
  readonly newId: () => string;
  readonly now?: () => number;
}

export class WarmPools {
  private readonly pools: PoolState[];
  private readonly schedule: PoolSchedule;
  /** Members a claim in this process is trying: a pass that listed them a moment before must not offer them again. */
  private readonly claiming = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly deps: WarmPoolsDeps) {
    this.now = deps.now ?? Date.now;
    const served = deps.orchestrator.placements;
    this.pools = deps.pools.map((spec) => {
      const placement = spec.placement ?? served[0];
      if (placement === undefined || !served.includes(placement))
        throw new Error(
          `warm pool (${describeShape(spec)}): placement must be one of ${served.join(", ")} on this Hub`,
        );
      const resolved = { ...spec, placement };
      return {
        key: poolKey(resolved),
        spec: resolved,
        ready: [],
        starting: 0,
        claims: 0,
        misses: 0,
        failures: 0,
        startAfterMs: 0,
      };
    });
    const keys = this.pools.map((pool) => pool.key);
    const twice = this.pools.find((pool, index) => keys.indexOf(pool.key) !== index);
    if (twice !== undefined)
      throw new Error(
        `two warm pools have the same shape (${describeShape(twice.spec)}); give each shape one pool`,
      );
    for (const key of keys) deps.metrics.declare(key);
    this.schedule = new PoolSchedule(() => this.reconcile(), deps.intervalMs, deps.logger);
  }

  /**
   * Lists members at once (adopting what a previous Hub left, deleting pools no longer declared),
   * then keeps reconciling every interval. With no pools declared, that one pass is all.
   */
  start(): void {
    this.schedule.start(this.pools.length > 0);
  }

  /** Waits for a pass in flight; members keep running for the next Hub to adopt. */
  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** Runs one pass now (tests, and the first pass after start). */
  reconcileNow(): Promise<void> {
    return this.schedule.runNow();
  }

  status(): PoolStatus[] {
    return this.pools.map((pool) => ({
      pool: pool.key,
      image: pool.spec.image,
      cpu: pool.spec.cpu,
      memory: pool.spec.memoryMiB,
      placement: pool.spec.placement,
      size: pool.spec.size,
      ready: pool.ready.length,
      starting: pool.starting,
      claimsTotal: pool.claims,
      missesTotal: pool.misses,
      ...(pool.lastError === undefined ? {} : { lastError: pool.lastError }),
    }));
  }

  /**
   * A ready member of the pool of exactly this shape, turned into the caller's container with the
   * spec's env, ports and lifetime; undefined when no pool has this shape or none could be claimed
   * (the caller then creates it cold). Never throws: a failing claim is a miss.
   */
  async claim(
    spec: ContainerSpec,
    log: { warn(details: object, message: string): void },
  ): Promise<ContainerInfo | undefined> {
    const pool = this.pools.find(
      ({ spec: shape }) =>
        shape.image === spec.image &&
        shape.cpu === spec.cpu &&
        shape.memoryMiB === spec.memoryMiB &&
        shape.placement === spec.placement,
    );
    if (pool === undefined) return undefined;
    const started = performance.now();
    const claim = { env: spec.env, ports: spec.ports, createdAt: spec.createdAt, expiresAt: spec.expiresAt };
    try {
      for (let member = this.take(pool); member !== undefined; member = this.take(pool)) {
        try {
          const result = await this.deps.orchestrator.claimPoolMember(member, claim);
          if (result.outcome === "claimed") {
            pool.claims += 1;
            this.deps.metrics.claimed(pool.key, (performance.now() - started) / 1000);
            return result.info;
          }
          if (result.outcome === "unsuitable") {
            log.warn(
              { pool: pool.key, reason: result.reason },
              "create served cold: the claim cannot be applied warm",
            );
            // The member was not touched: it stays claimable.
            pool.ready.push(member);
            break;
          }
        } finally {
          this.claiming.delete(member.id);
        }
      }
    } catch (error) {
      log.warn({ err: error, pool: pool.key }, "warm claim failed; creating cold");
    } finally {
      this.schedule.poke();
    }
    pool.misses += 1;
    this.deps.metrics.missed(pool.key);
    return undefined;
  }

  /** The oldest member believed ready, removed from the cache so no other claim here tries it. */
  private take(pool: PoolState): PoolMember | undefined {
    const member = pool.ready.shift();
    if (member !== undefined) this.claiming.add(member.id);
    return member;
  }

  private async reconcile(): Promise<void> {
    let members: PoolMember[];
    try {
      members = await this.deps.orchestrator.listPoolMembers();
    } catch (error) {
      this.deps.logger.warn({ err: error }, "cannot list warm-pool members");
      for (const pool of this.pools) pool.lastError = `listing members failed: ${(error as Error).message}`;
      return;
    }
    const nowMs = this.now();
    const known = new Set(this.pools.map((pool) => pool.key));
    const changes: (() => Promise<void>)[] = members
      .filter((member) => !known.has(member.pool))
      .map((member) => () => this.remove(member, "its pool is no longer declared"));
    for (const pool of this.pools) {
      const mine = members.filter((member) => member.pool === pool.key && !this.claiming.has(member.id));
      const plan = planPool({
        members: mine,
        size: pool.spec.size,
        maxAgeMs: pool.spec.maxAgeSeconds * 1000,
        nowMs,
      });
      pool.ready = [...plan.ready];
      pool.starting = plan.starting;
      const failed = plan.remove.filter((member) => member.status === "failed");
      if (failed.length > 0) this.failed(pool, failed[0]?.message ?? "a member failed", nowMs);
      else if (plan.ready.length > 0) {
        pool.failures = 0;
        delete pool.lastError;
      }
      changes.push(
        ...plan.remove.map((member) => () => this.remove(member, member.message ?? "recycled or surplus")),
      );
      if (nowMs >= pool.startAfterMs) {
        for (let i = 0; i < plan.create; i += 1) changes.push(() => this.startMember(pool));
      }
    }
    await forEachLimited(changes, CONCURRENT_CHANGES, (change) => change());
  }

  private async startMember(pool: PoolState): Promise<void> {
    const createdAt = new Date(this.now());
    const spec: ContainerSpec = {
      id: this.deps.newId(),
      image: pool.spec.image,
      cpu: pool.spec.cpu,
      memoryMiB: pool.spec.memoryMiB,
      placement: pool.spec.placement,
      env: {},
      ports: [],
      createdAt,
      // A member has no lifetime of its own; this bounds a half-finished claim on orchestrators that need one.
      expiresAt: new Date(createdAt.getTime() + pool.spec.maxAgeSeconds * 1000),
    };
    try {
      const member = await this.deps.orchestrator.createPoolMember(pool.key, spec);
      if (member.status === "running") pool.ready.push(member);
      else pool.starting += 1;
    } catch (error) {
      this.deps.logger.warn({ err: error, pool: pool.key }, "cannot start a warm-pool member");
      this.failed(pool, (error as Error).message, this.now());
    }
  }

  private async remove(member: PoolMember, why: string): Promise<void> {
    try {
      if (await this.deps.orchestrator.deletePoolMember(member))
        this.deps.logger.info({ id: member.id, pool: member.pool, why }, "warm-pool member deleted");
    } catch (error) {
      this.deps.logger.warn({ err: error, id: member.id }, "cannot delete a warm-pool member");
    }
  }

  /** Members of this pool keep failing: wait longer before starting more (1, 2, 4 ... intervals, at most 5 min). */
  private failed(pool: PoolState, message: string, nowMs: number): void {
    pool.failures += 1;
    pool.lastError = message;
    const backoff = Math.min(MAX_BACKOFF_MS, this.deps.intervalMs * 2 ** (pool.failures - 1));
    pool.startAfterMs = nowMs + backoff;
  }
}
