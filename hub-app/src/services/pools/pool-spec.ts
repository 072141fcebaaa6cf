/**
 * The warm pools a Hub keeps, with the Hub's defaults filled in, and the checks that make a bad
 * declaration stop the start with its name and what is allowed.
 * No import.meta here: config.ts imports this file.
 */
import { createHash } from "node:crypto";
import type { Placement } from "../../orchestrator/registry.js";
import { MAX_WARM_MEMBERS, type DeclaredPool } from "./pool-env.js";

export interface WarmPoolSpec {
  readonly image: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Absent: the Hub's default placement (its orchestrator's first), as for a create that names none. */
  readonly placement?: Placement;
  readonly size: number;
  readonly maxAgeSeconds: number;
}

export interface PoolDefaults {
  readonly image: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly maxAgeSeconds: number;
  /** HUB_WARM_POOL_SIZE: a pool of exactly the defaults. */
  readonly defaultPoolSize: number;
}

/** HUB_WARM_POOL_SIZE's pool first, then HUB_WARM_POOLS's, each with the defaults filled in. */
export function resolvePools(declared: readonly DeclaredPool[], defaults: PoolDefaults): WarmPoolSpec[] {
  const fill = (pool: DeclaredPool): WarmPoolSpec => ({
    image: pool.image ?? defaults.image,
    cpu: pool.cpu ?? defaults.cpu,
    memoryMiB: pool.memory ?? defaults.memoryMiB,
    ...(pool.placement === undefined ? {} : { placement: pool.placement }),
    size: pool.size,
    maxAgeSeconds: pool.maxAgeSeconds ?? defaults.maxAgeSeconds,
  });
  const fromSize = defaults.defaultPoolSize > 0 ? [fill({ size: defaults.defaultPoolSize })] : [];
  return [...fromSize, ...declared.map(fill)];
}

export interface PoolLimits {
  readonly cpuMin: number;
  readonly cpuMax: number;
  readonly memoryMinMiB: number;
  readonly memoryMaxMiB: number;
  /** The placements the chosen orchestrator can serve. */
  readonly placements: readonly string[];
}

/** Every problem with the pools, each naming the pool and what is allowed; empty when they are fine. */
export function poolProblems(pools: readonly WarmPoolSpec[], limits: PoolLimits): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  pools.forEach((pool, index) => {
    const name = `warm pool ${index + 1} (${describeShape(pool)})`;
    if (pool.cpu < limits.cpuMin || pool.cpu > limits.cpuMax)
      problems.push(`${name}: cpu must be from HUB_CPU_MIN ${limits.cpuMin} to HUB_CPU_MAX ${limits.cpuMax}`);
    if (pool.memoryMiB < limits.memoryMinMiB || pool.memoryMiB > limits.memoryMaxMiB)
      problems.push(
        `${name}: memory must be from HUB_MEMORY_MIN_MIB ${limits.memoryMinMiB} to HUB_MEMORY_MAX_MIB ${limits.memoryMaxMiB}`,
      );
    if (pool.placement !== undefined && !limits.placements.includes(pool.placement))
      problems.push(`${name}: placement must be one of ${limits.placements.join(", ")} on this orchestrator`);
    const shape = describeShape(pool);
    const earlier = seen.get(shape);
    if (earlier !== undefined)
      problems.push(`${name}: the same shape as warm pool ${earlier + 1}; give each shape one pool`);
    else seen.set(shape, index);
  });
  const total = pools.reduce((sum, pool) => sum + pool.size, 0);
  if (total > MAX_WARM_MEMBERS)
    problems.push(`warm pools hold ${total} members together; at most ${MAX_WARM_MEMBERS} are allowed`);
  return problems;
}

export function describeShape(pool: Pick<WarmPoolSpec, "image" | "cpu" | "memoryMiB" | "placement">): string {
  return `${pool.image}, ${pool.cpu} vCPU, ${pool.memoryMiB} MiB, ${pool.placement ?? "default placement"}`;
}

/** A pool's name on the orchestrator (a label value): the same shape gives the same key on every replica and restart. */
export function poolKey(shape: {
  image: string;
  cpu: number;
  memoryMiB: number;
  placement: Placement;
}): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([shape.image, shape.cpu, shape.memoryMiB, shape.placement]))
    .digest("hex");
  return `wp-${digest.slice(0, 16)}`;
}
