/** The warm pools in Prometheus: the same numbers GET /v1/pools shows, per pool and shape. */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { PoolStatus } from "./warm-pools.js";

// Seconds: a claim is one or two API calls (tens of ms) to a few ECS calls under throttling (seconds).
const CLAIM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const LABELS = ["pool", "image", "cpu", "memory", "placement"] as const;

export interface PoolMetrics {
  /** Shows the pool's counters at 0 before its first claim or miss. */
  declare(pool: string): void;
  claimed(pool: string, seconds: number): void;
  missed(pool: string): void;
}

/** Registers the pool metrics; `status` is read at scrape time. */
export function createPoolMetrics(registry: Registry, status: () => readonly PoolStatus[]): PoolMetrics {
  const labelsOf = (pool: PoolStatus) => ({
    pool: pool.pool,
    image: pool.image,
    cpu: String(pool.cpu),
    memory: String(pool.memory),
    placement: pool.placement,
  });
  new Gauge({
    name: "hub_warm_pool_members",
    help: "Warm-pool members by state (ready: claimable now; starting) as of the last pass",
    labelNames: [...LABELS, "state"],
    registers: [registry],
    collect() {
      for (const pool of status()) {
        this.set({ ...labelsOf(pool), state: "ready" }, pool.ready);
        this.set({ ...labelsOf(pool), state: "starting" }, pool.starting);
      }
    },
  });
  new Gauge({
    name: "hub_warm_pool_size",
    help: "Members each warm pool keeps",
    labelNames: [...LABELS],
    registers: [registry],
    collect() {
      for (const pool of status()) this.set(labelsOf(pool), pool.size);
    },
  });
  const claims = new Counter({
    name: "hub_warm_pool_claims_total",
    help: "Creates served by claiming a warm-pool member",
    labelNames: ["pool"],
    registers: [registry],
  });
  const misses = new Counter({
    name: "hub_warm_pool_misses_total",
    help: "Creates matching a warm pool that were served cold (no ready member, or the claim could not be applied)",
    labelNames: ["pool"],
    registers: [registry],
  });
  const claimSeconds = new Histogram({
    name: "hub_warm_pool_claim_duration_seconds",
    help: "From the start of a claim to the member being the caller's container",
    labelNames: ["pool"],
    buckets: CLAIM_BUCKETS,
    registers: [registry],
  });
  return {
    declare(pool) {
      claims.inc({ pool }, 0);
      misses.inc({ pool }, 0);
    },
    claimed(pool, seconds) {
      claims.inc({ pool });
      claimSeconds.observe({ pool }, seconds);
    },
    missed(pool) {
      misses.inc({ pool });
    },
  };
}
