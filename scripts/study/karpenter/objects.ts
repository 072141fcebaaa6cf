/**
 * What Karpenter's kwok provider (sigs.k8s.io/karpenter, kwok/) needs to add workers shaped like the
 * stack's worker group: one instance type, a NodePool with the group's labels, taint and size limit,
 * and a KWOKNodeClass whose nodeRegistrationDelay plays the time a new EC2 worker takes to join.
 */
import { allocatable, instanceShape, maxPodsPerNode } from "../../../components/eks/instance-types";
import type { NodePool as StackNodePool } from "../../cluster/stack-shape";
import { PRICES } from "../cost/prices";

export const NODE_CLASS_NAME = "sandbox-workers";
export const NODE_POOL_NAME = "sandbox-workers";
/** kwok/cloudprovider/helpers.go (v1.14.1) reserves this much on every kwok instance type, whatever its size. */
export const KWOK_KUBE_RESERVED = { milliCpu: 100, memoryMiB: 10 } as const;
/** Karpenter writes this label on the nodes it makes (sigs.k8s.io/karpenter pkg/apis/v1/labels.go). */
export const NODEPOOL_LABEL = "karpenter.sh/nodepool";

/**
 * The kwok provider's instance-types file (kwok/examples/instance_types.json format). Its resources
 * are capacity; the provider subtracts KWOK_KUBE_RESERVED, so capacity here is the EKS allocatable
 * (components/eks/instance-types.ts) plus that, and a Karpenter node offers exactly what a managed node does.
 */
export function instanceTypesFile(instanceType: string, prefixDelegation: boolean) {
  const pods = maxPodsPerNode(instanceType, prefixDelegation);
  const free = allocatable(instanceType, pods);
  instanceShape(instanceType);
  const price = PRICES["us-east-1"]?.ec2InstanceHour[instanceType] ?? 1;
  return [
    {
      name: instanceType,
      offerings: [
        {
          Price: price,
          Available: true,
          Requirements: [
            { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
            { key: "topology.kubernetes.io/zone", operator: "In", values: ["zone-a"] },
          ],
        },
      ],
      architecture: "amd64",
      operatingSystems: ["linux"],
      resources: {
        cpu: `${free.cpu + KWOK_KUBE_RESERVED.milliCpu}m`,
        memory: `${free.memoryMiB + KWOK_KUBE_RESERVED.memoryMiB}Mi`,
        pods: String(pods),
      },
    },
  ];
}

export function kwokNodeClass(nodeProvisioningSeconds: number) {
  if (!Number.isInteger(nodeProvisioningSeconds) || nodeProvisioningSeconds < 0) {
    throw new Error(
      `node provisioning time must be a whole number of seconds, got ${nodeProvisioningSeconds}`,
    );
  }
  return {
    apiVersion: "karpenter.kwok.sh/v1alpha1",
    kind: "KWOKNodeClass",
    metadata: { name: NODE_CLASS_NAME },
    spec: { nodeRegistrationDelay: `${nodeProvisioningSeconds}s` },
  };
}

/**
 * The worker group as a NodePool: its labels and taints on every node, its one instance type, and
 * at most maxSize - minSize nodes (the group's minimum stays as fixed kwok nodes). No consolidation or
 * expiry: nodes leave only when the study removes them between cells.
 */
export function workerNodePool(pool: StackNodePool, maxNodes: number) {
  if (!Number.isInteger(maxNodes) || maxNodes < 0) {
    throw new Error(`the NodePool's node limit must be a whole number, got ${maxNodes}`);
  }
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: NODE_POOL_NAME },
    spec: {
      template: {
        metadata: { labels: { ...pool.labels } },
        spec: {
          nodeClassRef: { group: "karpenter.kwok.sh", kind: "KWOKNodeClass", name: NODE_CLASS_NAME },
          taints: pool.taints.map((taint) => ({ ...taint })),
          requirements: [
            { key: "node.kubernetes.io/instance-type", operator: "In", values: [pool.instanceType] },
            { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
          ],
          expireAfter: "Never",
        },
      },
      limits: { nodes: String(maxNodes) },
      disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "Never" },
    },
  };
}
