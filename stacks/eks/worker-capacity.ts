/** What one EC2 worker holds, as the config check and the ec2 placement both count it. */
import { allocatable, maxPodsPerNode } from "../../components/eks/instance-types";
import type { Allocatable } from "../../components/kubernetes/allocatable";
import type { SandboxSize } from "../../components/kubernetes/sandbox-policies";

/** The VPC CNI runs with prefix delegation in every EKS stack (EksCluster's default). */
const PREFIX_DELEGATION = true;

export function workerAllocatable(workerInstanceType: string): Allocatable {
  return allocatable(workerInstanceType, maxPodsPerNode(workerInstanceType, PREFIX_DELEGATION));
}

/** The stack's default sandbox size: placeholders' size, the LimitRange default, the Hub's default. */
export function defaultSandboxSize(hub: { sandboxCpu: number; sandboxMemoryMiB: number }): SandboxSize {
  return { cpu: hub.sandboxCpu, memoryMiB: hub.sandboxMemoryMiB };
}
