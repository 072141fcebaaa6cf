/**
 * Where sandboxes, the Hub and the add-ons run: the labels, taints and names the infrastructure
 * and the Hub agree on. The Hub reads the same values from HUB_K8S_* (hub-app defaults match).
 */

export interface Label {
  readonly key: string;
  readonly value: string;
}

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: TaintEffect;
}

/** Label on worker nodes; sandbox pods select it (HUB_K8S_WORKER_LABEL). */
export const WORKER_LABEL: Label = { key: "sandbox.hub/pool", value: "workers" };
/** Taint on worker nodes so only pods that tolerate it (sandboxes, placeholders) land there (HUB_K8S_WORKER_TAINT). */
export const WORKER_TAINT: Taint = { key: "sandbox.hub/dedicated", value: "sandbox", effect: "NoSchedule" };
/** Label on manager nodes; the Hub and cluster-autoscaler select it. */
export const MANAGER_LABEL: Label = { key: "sandbox.hub/pool", value: "manager" };
/** Label the Hub puts on sandbox pods meant for Fargate when a cluster serves both placements (HUB_K8S_FARGATE_LABEL). */
export const FARGATE_LABEL: Label = { key: "sandbox.hub/placement", value: "fargate" };

export const SANDBOX_NAMESPACE = "sandboxes";
export const HUB_NAMESPACE = "hub";
/** Labels of the Hub's pods: sandbox NetworkPolicies admit ingress from these only. */
export const HUB_POD_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "hub" };

/** Sandbox placements on Kubernetes, in HUB_K8S_PLACEMENTS spelling. */
export const KUBERNETES_PLACEMENTS = ["ec2", "fargate"] as const;
export type KubernetesPlacement = (typeof KUBERNETES_PLACEMENTS)[number];

/** `key=value`, the form of HUB_K8S_WORKER_LABEL and HUB_K8S_FARGATE_LABEL. */
export function labelString(label: Label): string {
  return `${label.key}=${label.value}`;
}

/** `key=value:Effect`, the form of HUB_K8S_WORKER_TAINT and kubectl. */
export function taintString(taint: Taint): string {
  return `${taint.key}=${taint.value}:${taint.effect}`;
}

/** A toleration matching exactly this taint. */
export function tolerationFor(taint: Taint) {
  return { key: taint.key, operator: "Equal" as const, value: taint.value, effect: taint.effect };
}

/** The EKS node group API spells effects in upper snake case (API_Taint). */
export function eksTaintEffect(effect: TaintEffect): "NO_SCHEDULE" | "PREFER_NO_SCHEDULE" | "NO_EXECUTE" {
  const byEffect = {
    NoSchedule: "NO_SCHEDULE",
    PreferNoSchedule: "PREFER_NO_SCHEDULE",
    NoExecute: "NO_EXECUTE",
  } as const;
  return byEffect[effect];
}

export function labelsOf(...labels: readonly Label[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [l.key, l.value]));
}
