/**
 * Pod specs inside Kubernetes workload resources (Kubernetes API reference: the pod template of each
 * workload kind), and what a pod spec says about where it may run.
 */
import type { PolicyResource } from "@pulumi/policy";
import { list } from "./resources";

type PodSpecPath = readonly string[];

/** Where each workload kind keeps its pod spec. */
export const POD_SPEC_PATHS: Readonly<Record<string, PodSpecPath>> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:core/v1:PodTemplate": ["template", "spec"],
  "kubernetes:core/v1:ReplicationController": ["spec", "template", "spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly env?: { name: string; value?: string; valueFrom?: unknown }[];
  readonly resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readonly securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
  };
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface PodSpec {
  readonly automountServiceAccountToken?: boolean;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly priorityClassName?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: Toleration[];
  readonly containers?: Container[];
  readonly initContainers?: Container[];
  readonly ephemeralContainers?: Container[];
  readonly volumes?: { name: string; hostPath?: unknown }[];
}

export interface Workload {
  readonly resource: PolicyResource;
  readonly namespace: string | undefined;
  readonly replicas: number;
  readonly spec: PodSpec;
}

export const isWorkload = (resource: PolicyResource): boolean => resource.type in POD_SPEC_PATHS;

/** The pod spec of a workload resource, or undefined for anything else (or a workload without one yet). */
export function podSpecOf(resource: Pick<PolicyResource, "type" | "props">): PodSpec | undefined {
  const path = POD_SPEC_PATHS[resource.type];
  if (!path) return undefined;
  let node: unknown = resource.props;
  for (const key of path)
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  return node && typeof node === "object" ? node : undefined;
}

export function workloadOf(resource: PolicyResource): Workload | undefined {
  const spec = podSpecOf(resource);
  if (!spec) return undefined;
  const metadata = resource.props.metadata as { namespace?: string } | undefined;
  // A Deployment without replicas runs one (apps/v1 DeploymentSpec); a DaemonSet has one per node, counted elsewhere.
  const replicas = (resource.props.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  return { resource, namespace: metadata?.namespace, replicas, spec };
}

export const allContainers = (spec: PodSpec): Container[] => [
  ...list(spec.initContainers),
  ...list(spec.containers),
  ...list(spec.ephemeralContainers),
];

/** Whether a toleration lets a pod onto nodes with this taint (Kubernetes docs, "Taints and Tolerations"). */
export function tolerates(tolerations: readonly Toleration[], taint: Toleration): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

/** CPU quantity in millicores: "100m" -> 100, "0.5" -> 500, "2" -> 2000. */
export function milliCpu(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const text = String(quantity);
  if (text.endsWith("m")) return Number(text.slice(0, -1));
  return Math.round(Number(text) * 1000);
}

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  Ti: 1024 * 1024,
  k: 1000 / 1024 / 1024,
  M: 1e6 / 1024 / 1024,
  G: 1e9 / 1024 / 1024,
};

/** Memory quantity in MiB: "128Mi" -> 128, "1Gi" -> 1024, bytes as a plain number. */
export function mebibytes(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(quantity));
  if (!match) return Number.NaN;
  const unit = match[2] ?? "";
  const scale = unit === "" ? 1 / 1024 / 1024 : MEMORY_UNITS[unit];
  return scale === undefined ? Number.NaN : Number(match[1]) * scale;
}

/** A container's request, or its limit when it states none (Kubernetes defaults the request to the limit). */
function containerRequests(c: Container): { milliCpu: number; memoryMiB: number } {
  const requests = { ...c.resources?.limits, ...c.resources?.requests };
  return { milliCpu: milliCpu(requests.cpu), memoryMiB: mebibytes(requests.memory) };
}

/**
 * What one pod asks the scheduler for: its containers together, or its largest init container if that is
 * more, since init containers run one at a time before the others (Kubernetes docs, "Init Containers").
 */
export function podRequests(spec: PodSpec): { milliCpu: number; memoryMiB: number } {
  const main = list(spec.containers).map(containerRequests);
  const init = list(spec.initContainers).map(containerRequests);
  const sum = (field: "milliCpu" | "memoryMiB") => main.reduce((total, r) => total + r[field], 0);
  const largestInit = (field: "milliCpu" | "memoryMiB") => Math.max(0, ...init.map((r) => r[field]));
  return {
    milliCpu: Math.max(sum("milliCpu"), largestInit("milliCpu")),
    memoryMiB: Math.max(sum("memoryMiB"), largestInit("memoryMiB")),
  };
}
