/**
 * Pod density and allocatable resources of the instance types node groups may use.
 * ENI and IP counts: EC2 User Guide, "Maximum IP addresses per network interface";
 * formulas: awslabs/amazon-eks-ami (eni-max-pods.txt, max-pods-calculator.sh, kube-reserved).
 */
import type { Allocatable } from "../kubernetes/allocatable";

export interface InstanceShape {
  readonly enis: number;
  readonly ipv4PerEni: number;
  readonly vcpus: number;
  readonly memoryMiB: number;
}

const GiB = 1024;
const general = (enis: number, ips: number, vcpus: number, memoryGiB: number): InstanceShape => ({
  enis,
  ipv4PerEni: ips,
  vcpus,
  memoryMiB: memoryGiB * GiB,
});

/** The sizes a general-purpose node group here may use; m5, m6i and m7i share ENI limits per size. */
export const INSTANCE_SHAPES: Readonly<Record<string, InstanceShape>> = {
  "t3.medium": general(3, 6, 2, 4),
  "t3.large": general(3, 12, 2, 8),
  ...Object.fromEntries(
    ["m5", "m6i", "m7i"].flatMap((family) => [
      [`${family}.large`, general(3, 10, 2, 8)],
      [`${family}.xlarge`, general(4, 15, 4, 16)],
      [`${family}.2xlarge`, general(4, 15, 8, 32)],
      [`${family}.4xlarge`, general(8, 30, 16, 64)],
    ]),
  ),
  "c6i.large": general(3, 10, 2, 4),
  "c6i.xlarge": general(4, 15, 4, 8),
  "c6i.2xlarge": general(4, 15, 8, 16),
  "c6i.4xlarge": general(8, 30, 16, 32),
};

export function instanceShape(instanceType: string): InstanceShape {
  const shape = INSTANCE_SHAPES[instanceType];
  if (!shape) {
    throw new Error(
      `unsupported instance type "${instanceType}": pod density is known for ${Object.keys(INSTANCE_SHAPES).join(", ")}`,
    );
  }
  return shape;
}

/** Pods per /28 prefix with prefix delegation (VPC CNI docs, "Assign more IP addresses to nodes with prefixes"). */
const IPS_PER_PREFIX = 16;

/**
 * Max pods per node. Without prefix delegation each secondary IP is a pod: ENIs x (IPs per ENI - 1) + 2
 * (the +2 are host-network pods). With it, each slot holds a /28, capped at 110 below 30 vCPUs and 250 above
 * (max-pods-calculator.sh). m6i.2xlarge: 58 without, 110 with.
 */
export function maxPodsPerNode(instanceType: string, prefixDelegation: boolean): number {
  const shape = instanceShape(instanceType);
  const slots = shape.enis * (shape.ipv4PerEni - 1);
  if (!prefixDelegation) return slots + 2;
  const cap = shape.vcpus < 30 ? 110 : 250;
  return Math.min(slots * IPS_PER_PREFIX + 2, cap);
}

/** kube-reserved CPU in millicores: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above. */
function reservedMilliCpu(vcpus: number): number {
  const bands: readonly [cores: number, share: number][] = [
    [1, 0.06],
    [1, 0.01],
    [2, 0.005],
    [Number.POSITIVE_INFINITY, 0.0025],
  ];
  let left = vcpus;
  let reserved = 0;
  for (const [cores, share] of bands) {
    const used = Math.min(left, cores);
    reserved += used * 1000 * share;
    left -= used;
  }
  return Math.ceil(reserved);
}

/** What the scheduler sees on a node: capacity minus kube-reserved (11 MiB per pod + 255 MiB) and the 100 MiB eviction threshold. */
export function allocatable(instanceType: string, maxPods: number): Allocatable {
  const shape = instanceShape(instanceType);
  const reservedMemoryMiB = 11 * maxPods + 255 + 100;
  return {
    cpu: shape.vcpus * 1000 - reservedMilliCpu(shape.vcpus),
    memoryMiB: shape.memoryMiB - reservedMemoryMiB,
    pods: maxPods,
  };
}
