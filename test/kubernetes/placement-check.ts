/**
 * Where can a workload land? A pure model of the scheduler's filters that matter here (node selector,
 * NoSchedule/NoExecute taints and tolerations, requests against allocatable) plus EKS Fargate's profile
 * matching, which takes a pod off the nodes altogether. The stack tests assert the placement rules with it.
 */
import type { FargateSelector } from "../../components/eks/fargate-sandboxes";
import type { Allocatable } from "../../components/kubernetes/allocatable";
import type { Taint } from "../../components/kubernetes/placement";

export interface NodeGroupView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly allocatable: Allocatable;
}

export interface ClusterLayout {
  readonly nodeGroups: readonly NodeGroupView[];
  readonly fargateSelectors: readonly FargateSelector[];
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface Workload {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  /** Millicores and MiB the pod requests (sum over its containers). */
  readonly requests: { readonly cpu: number; readonly memoryMiB: number };
}

export const FARGATE = "fargate";

export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== "" && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === taint.value;
  });
}

function selectedByFargate(selectors: readonly FargateSelector[], workload: Workload): boolean {
  return selectors.some(
    (s) =>
      s.namespace === workload.namespace &&
      Object.entries(s.labels ?? {}).every(([key, value]) => workload.labels[key] === value),
  );
}

function fitsOn(group: NodeGroupView, workload: Workload): boolean {
  const selected = Object.entries(workload.nodeSelector ?? {}).every(([k, v]) => group.labels[k] === v);
  const repelled = group.taints
    .filter((t) => t.effect !== "PreferNoSchedule")
    .some((t) => !tolerates(workload.tolerations ?? [], t));
  const fits =
    workload.requests.cpu <= group.allocatable.cpu &&
    workload.requests.memoryMiB <= group.allocatable.memoryMiB &&
    group.allocatable.pods >= 1;
  return selected && !repelled && fits;
}

/** Names of the node groups the workload can land on, or ["fargate"] when a Fargate profile selects it. */
export function landingPlaces(layout: ClusterLayout, workload: Workload): string[] {
  // The Fargate admission webhook gives a selected pod the fargate-scheduler: it runs there or nowhere.
  if (selectedByFargate(layout.fargateSelectors, workload)) return [FARGATE];
  return layout.nodeGroups.filter((g) => fitsOn(g, workload)).map((g) => g.name);
}

/** Kubernetes CPU quantity to millicores: "100m" -> 100, "0.5" -> 500, "2" -> 2000. */
export function cpuToMilli(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const text = String(quantity);
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(text);
  if (!match) throw new Error(`not a CPU quantity: "${text}" (use e.g. 100m or 0.5)`);
  const value = Number(match[1]);
  return match[2] === "m" ? value : value * 1000;
}

const MEMORY_UNITS: Record<string, number> = {
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  Ti: 1024 * 1024,
  "": 1 / (1024 * 1024),
};

/** Kubernetes memory quantity to MiB: "128Mi" -> 128, "1Gi" -> 1024. */
export function memoryToMiB(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const text = String(quantity);
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|)$/.exec(text);
  if (!match) throw new Error(`not a memory quantity: "${text}" (use e.g. 128Mi or 1Gi)`);
  return Number(match[1]) * MEMORY_UNITS[match[2]!]!;
}

interface PodSpecLike {
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: Toleration[];
  readonly containers: readonly { resources?: { requests?: { cpu?: string; memory?: string } } }[];
}

/** A Workload from a pod spec as the stacks (or the Hub) build it. */
export function workloadFromPodSpec(
  name: string,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  spec: PodSpecLike,
): Workload {
  const requests = spec.containers.reduce(
    (sum, c) => ({
      cpu: sum.cpu + cpuToMilli(c.resources?.requests?.cpu),
      memoryMiB: sum.memoryMiB + memoryToMiB(c.resources?.requests?.memory),
    }),
    { cpu: 0, memoryMiB: 0 },
  );
  return {
    name,
    namespace,
    labels,
    nodeSelector: spec.nodeSelector,
    tolerations: spec.tolerations,
    requests,
  };
}
