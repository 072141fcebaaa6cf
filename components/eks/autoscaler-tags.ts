/**
 * ASG tags cluster-autoscaler reads (cloudprovider/aws/README.md, "Auto-Discovery Setup" and
 * "Scaling a node group to 0"). Managed node groups put their labels and taints on nodes but not
 * on the ASG (terraform-aws-modules/terraform-aws-eks#2597), so from zero nodes the autoscaler
 * would not know a tainted group's nodes accept a pending sandbox: these tags tell it.
 */
import type { Label, Taint } from "../kubernetes/placement";
import { clusterOwnershipTagKey, NODE_TEMPLATE_LABEL_PREFIX, WORKER_GROUP_TAG } from "./autoscaler-policy";

export const AUTO_DISCOVERY_TAG = "k8s.io/cluster-autoscaler/enabled";

/**
 * Tags EKS itself puts on every managed node group's ASG (EKS docs, "Managed node groups": "tagged
 * for auto-discovery"). Never declared here: a Tag resource of ours for the same key would delete
 * EKS's tag when removed, and the autoscaler would lose the group.
 */
export function eksOwnedAsgTagKeys(clusterName: string): string[] {
  return [AUTO_DISCOVERY_TAG, clusterOwnershipTagKey(clusterName)];
}

export interface AsgTag {
  readonly key: string;
  readonly value: string;
}

/** The node-template tags for a group's labels and taints: the only ASG tags this project manages. */
export function autoscalerAsgTags(labels: readonly Label[], taints: readonly Taint[]): AsgTag[] {
  const tags: AsgTag[] = [
    ...labels.map((l) => ({ key: `${NODE_TEMPLATE_LABEL_PREFIX}${l.key}`, value: l.value })),
    ...taints.map((t) => ({
      key: `k8s.io/cluster-autoscaler/node-template/taint/${t.key}`,
      value: `${t.value}:${t.effect}`,
    })),
  ];
  const keys = tags.map((t) => t.key);
  const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (repeated.length > 0) throw new Error(`autoscaler ASG tags repeat key(s): ${repeated.join(", ")}`);
  return tags;
}

/** Tag keys a group must carry to be discovered: EKS's two, and the worker label's (not the manager group). */
export function autoDiscoveryTags(clusterName: string): string[] {
  return [...eksOwnedAsgTagKeys(clusterName), WORKER_GROUP_TAG.key];
}

/** The `--node-group-auto-discovery` value the chart renders from autoDiscovery.tags. */
export function autoDiscoveryArg(clusterName: string): string {
  return `asg:tag=${autoDiscoveryTags(clusterName).join(",")}`;
}

/** A Pulumi name part from a tag key: `k8s.io/cluster-autoscaler/node-template/taint/x` -> `taint-x`. */
export function asgTagResourceSuffix(key: string): string {
  return key
    .replace(/^k8s\.io\/cluster-autoscaler\/node-template\//, "")
    .replace(/[^A-Za-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
