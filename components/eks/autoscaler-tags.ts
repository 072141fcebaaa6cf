/**
 * ASG tags cluster-autoscaler reads (cloudprovider/aws/README.md, "Auto-Discovery Setup" and
 * "Scaling a node group to 0"). Managed node groups put their labels and taints on nodes but not
 * on the ASG (terraform-aws-modules/terraform-aws-eks#2597), so from zero nodes the autoscaler
 * would not know a tainted group's nodes accept a pending sandbox: these tags tell it.
 */
import type { Label, Taint } from "../kubernetes/placement";
import { clusterOwnershipTagKey, NODE_TEMPLATE_LABEL_PREFIX, WORKER_GROUP_TAG } from "./autoscaler-policy";

export const AUTO_DISCOVERY_TAG = "k8s.io/cluster-autoscaler/enabled";

export interface AsgTag {
  readonly key: string;
  readonly value: string;
}

export function autoscalerAsgTags(
  clusterName: string,
  labels: readonly Label[],
  taints: readonly Taint[],
): AsgTag[] {
  const tags: AsgTag[] = [
    { key: AUTO_DISCOVERY_TAG, value: "true" },
    { key: clusterOwnershipTagKey(clusterName), value: "owned" },
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

/** Tag keys a group must carry to be discovered: this cluster's, and the worker label's (not the manager group). */
export function autoDiscoveryTags(clusterName: string): string[] {
  return [AUTO_DISCOVERY_TAG, clusterOwnershipTagKey(clusterName), WORKER_GROUP_TAG.key];
}

/** The `--node-group-auto-discovery` value the chart renders from autoDiscovery.tags. */
export function autoDiscoveryArg(clusterName: string): string {
  return `asg:tag=${autoDiscoveryTags(clusterName).join(",")}`;
}
