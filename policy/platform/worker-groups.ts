/**
 * Worker node groups as the stack declares them: labels, taints, largest size, and pods per node from the
 * instance type's pod density (components/eks/instance-types.ts) under the VPC CNI mode the vpc-cni
 * add-on sets, capped by the kubelet maxPods the launch template's user data sets.
 */
import type { PolicyResource } from "@pulumi/policy";
import { allocatable, maxPodsPerNode } from "../../components/eks/instance-types";
import type { Allocatable } from "../../components/kubernetes/allocatable";
import { list, linked, isUnder, ofType } from "../lib/resources";
import { T } from "../lib/types";
import { tolerates, type Toleration } from "../lib/pods";
import type { Unknowns } from "../lib/unknowns";

export interface WorkerGroup {
  readonly resource: PolicyResource;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Toleration[];
  readonly instanceType: string;
  readonly maxSize: number;
  /** What one node offers the scheduler; undefined when the instance type's pod density is not known. */
  readonly node: Allocatable | undefined;
}

const EFFECTS: Readonly<Record<string, string>> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

/** Whether the VPC CNI hands out /28 prefixes: the vpc-cni add-on's ENABLE_PREFIX_DELEGATION (VPC CNI docs). */
export function prefixDelegation(resources: readonly PolicyResource[]): boolean {
  const addon = ofType(resources, T.eksAddon).find((a) => a.props.addonName === "vpc-cni");
  const values: unknown = addon?.props.configurationValues;
  if (typeof values !== "string") return false;
  const env = (JSON.parse(values) as { env?: Record<string, string> }).env;
  return env?.ENABLE_PREFIX_DELEGATION === "true";
}

/** kubelet maxPods from launch-template user data: a nodeadm NodeConfig (AL2023) or bootstrap.sh --max-pods. */
export function kubeletMaxPods(userData: unknown): number | undefined {
  if (typeof userData !== "string") return undefined;
  const text = Buffer.from(userData, "base64").toString("utf8");
  const match = /\bmaxPods:\s*(\d+)/.exec(text) ?? /--max-pods[= ](\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function nodeOf(
  instanceType: string,
  prefix: boolean,
  kubeletPods: number | undefined,
): Allocatable | undefined {
  try {
    const density = maxPodsPerNode(instanceType, prefix);
    return allocatable(instanceType, Math.min(density, kubeletPods ?? density));
  } catch {
    return undefined;
  }
}

export function workerGroups(resources: readonly PolicyResource[], unknowns: Unknowns): WorkerGroup[] {
  const prefix = unknowns.ifKnown(() => prefixDelegation(resources)) ?? false;
  // A managed node group component and the aws:eks NodeGroup it creates are one group.
  const groups = [
    ...ofType(resources, T.managedNodeGroup),
    ...ofType(resources, T.eksNodeGroup).filter((g) => !isUnder(g, T.managedNodeGroup)),
  ];
  const found: WorkerGroup[] = [];
  unknowns.each(groups, (resource) => {
    const props = resource.props;
    const template = linked(resource, "launchTemplate", T.launchTemplate)[0];
    const kubeletPods = template ? kubeletMaxPods(template.props.userData) : undefined;
    const taints = list(props.taints as Toleration[] | undefined).map((t) => ({
      ...t,
      effect: EFFECTS[t.effect ?? ""],
    }));
    for (const instanceType of list(props.instanceTypes as string[] | undefined)) {
      found.push({
        resource,
        labels: { ...(props.labels as Record<string, string> | undefined) },
        taints,
        instanceType,
        maxSize: Number((props.scalingConfig as { maxSize?: number } | undefined)?.maxSize ?? 0),
        node: nodeOf(instanceType, prefix, kubeletPods),
      });
    }
  });
  return found;
}

/** Whether a pod with this node selector and these tolerations can run on the group's nodes. */
export function fitsOn(
  group: WorkerGroup,
  nodeSelector: Readonly<Record<string, string>> | undefined,
  tolerations: readonly Toleration[],
): boolean {
  const labelsMatch = Object.entries(nodeSelector ?? {}).every(([k, v]) => group.labels[k] === v);
  const hard = group.taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
  return labelsMatch && hard.every((t) => tolerates(tolerations, t));
}
