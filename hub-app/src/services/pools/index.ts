/** The warm pools of one Hub, from its configuration; see warm-pools.ts. */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { HubConfig } from "../../config.js";
import { newContainerId } from "../../ids.js";
import type { Orchestrator } from "../../orchestrator/types.js";
import { createPoolMetrics } from "./pool-metrics.js";
import { WarmPools } from "./warm-pools.js";

export { WarmPools, type PoolStatus } from "./warm-pools.js";

export function createWarmPools(
  config: HubConfig,
  orchestrator: Orchestrator,
  logger: Logger,
  registry: Registry,
): WarmPools {
  const holder: { pools?: WarmPools } = {};
  const metrics = createPoolMetrics(registry, () => holder.pools?.status() ?? []);
  const pools = new WarmPools({
    orchestrator,
    pools: config.warmPools.pools,
    intervalMs: config.warmPools.intervalMs,
    logger,
    metrics,
    newId: newContainerId,
  });
  holder.pools = pools;
  return pools;
}
