/**
 * What a stack puts into Kubernetes, read from its real Pulumi program under the mock harness:
 * the Kubernetes objects it applies and the node groups its nodes come from.
 */
import { allocatable, instanceShape, maxPodsPerNode } from "../../components/eks/instance-types";
import { eksTaintEffect, type Taint, type TaintEffect } from "../../components/kubernetes/placement";
import type { RecordedResource, Recorder } from "../../test/harness/mocks";

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface NodePool {
  readonly name: string;
  readonly instanceType: string;
  /** The group's desired size; minSize and maxSize bound what an autoscaler may do. */
  readonly count: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly maxPods: number;
}

/** Pulumi's wire form of a secret value (sdk/nodejs/runtime/rpc.ts, specialSigKey / specialSecretSig). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG_KEY] === SECRET_SIG) return plain(record.value);
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, plain(inner)]));
}

/**
 * Resource types the Pulumi Kubernetes provider sends to the API server as they are. Left out:
 * helm.sh/v3 Release (a chart from a Helm repository, not an object), and *Patch types, which
 * are sent as a server-side apply of the fields they name, exactly what they are here.
 */
function isObjectType(type: string): boolean {
  return type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/");
}

export function kubernetesObjects(recorder: Recorder): KubernetesObject[] {
  return recorder.resources
    .filter((resource) => isObjectType(resource.type))
    .map((resource) => plain(resource.inputs) as KubernetesObject);
}

/** The types `kubernetesObjects` leaves out, to say so. */
export function skippedTypes(recorder: Recorder): string[] {
  return [
    ...new Set(
      recorder.resources
        .filter((resource) => resource.type.startsWith("kubernetes:") && !isObjectType(resource.type))
        .map((resource) => `${resource.type} ${resource.name}`),
    ),
  ];
}

const EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

function taintsOf(group: RecordedResource): Taint[] {
  const taints = (group.inputs.taints ?? []) as { key: string; value?: string; effect: string }[];
  return taints.map((taint) => {
    const effect = EFFECTS.find((candidate) => eksTaintEffect(candidate) === taint.effect);
    if (effect === undefined)
      throw new Error(`node group ${group.name}: unknown taint effect ${taint.effect}`);
    return { key: taint.key, value: taint.value ?? "", effect };
  });
}

/** Prefix delegation as the VPC CNI add-on is configured (vpc-cni.ts), which sets max pods. */
function prefixDelegation(recorder: Recorder): boolean {
  const addon = recorder
    .ofType("aws:eks/addon:Addon")
    .find((resource) => resource.inputs.addonName === "vpc-cni");
  const values = JSON.parse(String(addon?.inputs.configurationValues ?? "{}")) as {
    env?: Record<string, string>;
  };
  return values.env?.ENABLE_PREFIX_DELEGATION === "true";
}

/** One pool per managed node group, at its desired size. */
export function nodePools(recorder: Recorder): NodePool[] {
  const delegation = prefixDelegation(recorder);
  return recorder.ofType("eks:index:ManagedNodeGroup").map((group) => {
    const instanceType = ((group.inputs.instanceTypes ?? []) as string[])[0];
    if (instanceType === undefined) throw new Error(`node group ${group.name} names no instance type`);
    const scaling = group.inputs.scalingConfig as { desiredSize: number; minSize: number; maxSize: number };
    return {
      name: group.name,
      instanceType,
      count: scaling.desiredSize,
      minSize: scaling.minSize,
      maxSize: scaling.maxSize,
      labels: (group.inputs.labels ?? {}) as Record<string, string>,
      taints: taintsOf(group),
      maxPods: maxPodsPerNode(instanceType, delegation),
    };
  });
}

/** A kwok Node for one instance of a pool: the labels EKS puts on managed nodes, its capacity and allocatable. */
export function fakeNode(pool: NodePool, index: number, annotation: string): KubernetesObject {
  const name = `${pool.name}-${index}`;
  const shape = instanceShape(pool.instanceType);
  const free = allocatable(pool.instanceType, pool.maxPods);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [annotation]: "fake" },
      labels: {
        ...pool.labels,
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": pool.instanceType,
        "eks.amazonaws.com/nodegroup": pool.name,
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
        type: "kwok",
      },
    },
    spec: { taints: pool.taints.map((taint) => ({ ...taint })) },
    status: {
      capacity: { cpu: String(shape.vcpus), memory: `${shape.memoryMiB}Mi`, pods: String(pool.maxPods) },
      allocatable: { cpu: `${free.cpu}m`, memory: `${free.memoryMiB}Mi`, pods: String(free.pods) },
    },
  };
}
