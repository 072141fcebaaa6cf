/**
 * Overprovisioning arithmetic. Users wait for a node only when more sandboxes arrive within one node
 * provisioning time than there is spare room, so the spare room (placeholder pods) is
 *
 *   replicas = ceil(createRatePerSecond x nodeProvisioningSeconds)
 *
 * (1 create/s with ~90 s provisioning needs 90 pods of headroom; the placeholder pattern itself is in
 * kubernetes/autoscaler cluster-autoscaler/FAQ.md, "How can I configure overprovisioning"). Each placeholder is sized
 * like a sandbox, so evicting one frees exactly one sandbox's room. How many fit on a node is the
 * smallest of the IP bound (pods per node minus DaemonSet pods) and the CPU and memory bounds.
 */
import type { Allocatable } from "./allocatable";
import type { SandboxSize } from "./sandbox-policies";

/** Per-worker DaemonSets: aws-node (25m), kube-proxy (100m), image puller (5m, 8 MiB); EKS add-on defaults. */
export const WORKER_DAEMONSET_OVERHEAD = { pods: 3, milliCpu: 130, memoryMiB: 8 } as const;

export interface HeadroomArgs {
  /** Expected sandbox creations per second at peak (config eks.createRatePerSecond). */
  readonly createRatePerSecond: number;
  /** Seconds from a pending pod to a ready new node (config eks.nodeProvisioningSeconds). */
  readonly nodeProvisioningSeconds: number;
  readonly sandbox: SandboxSize;
  /** One worker's allocatable resources and pod limit. */
  readonly node: Allocatable;
  /** The worker group's maximum size: headroom must leave room for real sandboxes. */
  readonly maxNodes: number;
}

export interface Headroom {
  readonly replicas: number;
  readonly sandboxesPerNode: number;
  /** Workers the placeholders occupy when no sandbox runs. */
  readonly nodes: number;
}

export function sandboxesPerNode(node: Allocatable, sandbox: SandboxSize): number {
  if (!(sandbox.cpu > 0) || !(sandbox.memoryMiB > 0)) {
    throw new Error(`sandbox size must be above zero, got ${sandbox.cpu} vCPU / ${sandbox.memoryMiB} MiB`);
  }
  const byPods = node.pods - WORKER_DAEMONSET_OVERHEAD.pods;
  const byCpu = Math.floor((node.cpu - WORKER_DAEMONSET_OVERHEAD.milliCpu) / Math.round(sandbox.cpu * 1000));
  const byMemory = Math.floor((node.memoryMiB - WORKER_DAEMONSET_OVERHEAD.memoryMiB) / sandbox.memoryMiB);
  const fits = Math.min(byPods, byCpu, byMemory);
  if (fits < 1) {
    throw new Error(
      `a sandbox of ${sandbox.cpu} vCPU / ${sandbox.memoryMiB} MiB does not fit on a worker (${node.cpu}m CPU, ${node.memoryMiB} MiB, ${node.pods} pods allocatable)`,
    );
  }
  return fits;
}

export function placeholderHeadroom(args: HeadroomArgs): Headroom {
  if (!Number.isFinite(args.createRatePerSecond) || args.createRatePerSecond < 0) {
    throw new Error(`createRatePerSecond must be 0 or more, got ${args.createRatePerSecond}`);
  }
  if (!Number.isFinite(args.nodeProvisioningSeconds) || args.nodeProvisioningSeconds <= 0) {
    throw new Error(`nodeProvisioningSeconds must be more than 0, got ${args.nodeProvisioningSeconds}`);
  }
  const perNode = sandboxesPerNode(args.node, args.sandbox);
  const replicas = placeholderCount(args.createRatePerSecond, args.nodeProvisioningSeconds);
  const nodes = Math.ceil(replicas / perNode);
  if (nodes >= args.maxNodes && replicas > 0) {
    throw new Error(
      `headroom of ${replicas} placeholders needs ${nodes} workers of ${perNode} sandboxes, leaving none of the ${args.maxNodes} for sandboxes: raise eks.workerMax or lower eks.createRatePerSecond`,
    );
  }
  return { replicas, sandboxesPerNode: perNode, nodes };
}

/** ceil(createRatePerSecond x nodeProvisioningSeconds), the arithmetic above. */
export function placeholderCount(createRatePerSecond: number, nodeProvisioningSeconds: number): number {
  // Round before ceil so 0.1 x 90 = 9.000000000000002 stays 9.
  return Math.ceil(Number((createRatePerSecond * nodeProvisioningSeconds).toFixed(6)));
}

/** Pods of one size that hold worker room all the time: placeholders, or the members of a warm pool. */
export interface ResidentPods {
  readonly count: number;
  readonly size: SandboxSize;
}

/**
 * Workers that resident pods fill when no student's sandbox runs: each group as many nodes' worth as it
 * would fill alone (its count over how many fit on a node), added up and rounded up. For one group this
 * is exactly the placeholders' `nodes`; for several it is what they need when packed side by side.
 */
export function residentWorkers(node: Allocatable, groups: readonly ResidentPods[]): number {
  const share = groups
    .filter((group) => group.count > 0)
    .reduce((sum, group) => sum + group.count / sandboxesPerNode(node, group.size), 0);
  return Math.ceil(Number(share.toFixed(6)));
}
