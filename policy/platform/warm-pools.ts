/**
 * Warm pools the Hub keeps on EC2 workers, read from the Hub's own environment in its Deployment (the
 * variables hub-app validates: HUB_WARM_POOL_SIZE for a pool of the defaults, HUB_WARM_POOLS for more),
 * with where its sandboxes land (HUB_K8S_WORKER_LABEL, HUB_K8S_WORKER_TAINT). Pool members are real
 * sandbox pods: they take worker room like placeholders do.
 */
import type { PolicyResource } from "@pulumi/policy";
import { allContainers, isWorkload, workloadOf, type Toleration } from "../lib/pods";
import { list } from "../lib/resources";
import type { Unknowns } from "../lib/unknowns";

export interface PodDemand {
  /** For messages: "90 placeholders of ...", "warm pool of ...". */
  readonly what: string;
  readonly source: PolicyResource;
  readonly count: number;
  readonly milliCpu: number;
  readonly memoryMiB: number;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

interface PoolEntry {
  cpu?: number;
  memory?: number;
  placement?: string;
  size?: number;
}

function envOf(resource: PolicyResource): Map<string, string> | undefined {
  const workload = workloadOf(resource);
  const env = new Map<string, string>();
  for (const container of workload ? allContainers(workload.spec) : []) {
    for (const variable of list(container.env))
      if (variable.value !== undefined) env.set(variable.name, variable.value);
  }
  return env.get("HUB_ORCHESTRATOR") === "kubernetes" ? env : undefined;
}

function split(pair: string | undefined, separator: string): [string, string] | undefined {
  const at = pair?.indexOf(separator) ?? -1;
  return pair && at > 0 ? [pair.slice(0, at), pair.slice(at + 1)] : undefined;
}

/** Warm-pool members each Kubernetes Hub keeps on EC2 workers; pools on Fargate take no worker room. */
export function warmPoolDemands(resources: readonly PolicyResource[], unknowns: Unknowns): PodDemand[] {
  const demands: PodDemand[] = [];
  unknowns.each(resources.filter(isWorkload), (resource) => {
    const env = envOf(resource);
    if (!env) return;
    const defaultPlacement = (env.get("HUB_K8S_PLACEMENTS") ?? "ec2").split(",")[0];
    const label = split(env.get("HUB_K8S_WORKER_LABEL"), "=");
    const taint = split(env.get("HUB_K8S_WORKER_TAINT"), "=");
    const [taintValue, effect] = split(taint?.[1], ":") ?? [];
    // The Hub's own defaults when the Deployment states none (hub-app/src/config.ts).
    const defaults = {
      cpu: Number(env.get("HUB_DEFAULT_CPU") ?? 0.25),
      memory: Number(env.get("HUB_DEFAULT_MEMORY_MIB") ?? 512),
    };
    const pools: PoolEntry[] = [
      { size: Number(env.get("HUB_WARM_POOL_SIZE") ?? 0) },
      ...(JSON.parse(env.get("HUB_WARM_POOLS") ?? "[]") as PoolEntry[]),
    ];
    for (const pool of pools) {
      if ((pool.placement ?? defaultPlacement) !== "ec2" || !(Number(pool.size) > 0)) continue;
      const cpu = pool.cpu ?? defaults.cpu;
      const memory = pool.memory ?? defaults.memory;
      demands.push({
        what: `a warm pool of ${pool.size} sandboxes of ${cpu} vCPU / ${memory} MiB`,
        source: resource,
        count: Number(pool.size),
        milliCpu: Math.round(cpu * 1000),
        memoryMiB: memory,
        nodeSelector: label ? { [label[0]]: label[1] } : {},
        tolerations: taint ? [{ key: taint[0], operator: "Equal", value: taintValue, effect }] : [],
      });
    }
  });
  return demands;
}
