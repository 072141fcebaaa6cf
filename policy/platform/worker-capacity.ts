/**
 * Placeholders and warm-pool members hold worker room ahead of demand; together they must leave at least
 * one worker for real sandboxes at the group's largest size, or a burst finds the group full of pods that
 * hold room for it (the arithmetic of components/kubernetes/headroom.ts, here from the resources' inputs,
 * so a hand-edited replica count, instance type or size is caught).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { list, describe, ofType } from "../lib/resources";
import { podRequests, workloadOf } from "../lib/pods";
import { T } from "../lib/types";
import { Unknowns } from "../lib/unknowns";
import { placeholders } from "./placeholders";
import { warmPoolDemands, type PodDemand } from "./warm-pools";
import { fitsOn, workerGroups, type WorkerGroup } from "./worker-groups";

/** DaemonSets EKS runs on every node outside this program: aws-node 25m, kube-proxy 100m (EKS add-on defaults). */
export const EKS_NODE_DAEMONS = { pods: 2, milliCpu: 125, memoryMiB: 0 } as const;

interface Overhead {
  pods: number;
  milliCpu: number;
  memoryMiB: number;
}

function daemonOverhead(
  resources: readonly PolicyResource[],
  group: WorkerGroup,
  unknowns: Unknowns,
): Overhead {
  const total: Overhead = { ...EKS_NODE_DAEMONS };
  unknowns.each(ofType(resources, T.daemonSet), (daemonSet) => {
    const spec = workloadOf(daemonSet)?.spec;
    if (!spec || !fitsOn(group, spec.nodeSelector, list(spec.tolerations))) return;
    const requests = podRequests(spec);
    total.pods += 1;
    total.milliCpu += requests.milliCpu;
    total.memoryMiB += requests.memoryMiB;
  });
  return total;
}

/** How many pods of this size one node of the group holds: the smallest of the pod, CPU and memory bounds. */
export function podsPerNode(
  group: WorkerGroup,
  overhead: Overhead,
  pod: { milliCpu: number; memoryMiB: number },
): number {
  const node = group.node!;
  const bounds = [node.pods - overhead.pods];
  if (pod.milliCpu > 0) bounds.push(Math.floor((node.cpu - overhead.milliCpu) / pod.milliCpu));
  if (pod.memoryMiB > 0) bounds.push(Math.floor((node.memoryMiB - overhead.memoryMiB) / pod.memoryMiB));
  return Math.max(0, Math.min(...bounds));
}

function placeholderDemands(resources: readonly PolicyResource[], unknowns: Unknowns): PodDemand[] {
  return placeholders(resources, unknowns).map((w) => ({
    what: `${w.replicas} placeholders`,
    source: w.resource,
    count: w.replicas,
    ...podRequests(w.spec),
    nodeSelector: { ...w.spec.nodeSelector },
    tolerations: list(w.spec.tolerations),
  }));
}

export const workerCapacityKept: StackValidationPolicy = {
  name: "headroom-within-worker-capacity",
  description: "Placeholders and warm-pool members leave at least one worker of room for real sandboxes.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const groups = workerGroups(args.resources, unknowns);
    const demands = [
      ...placeholderDemands(args.resources, unknowns),
      ...warmPoolDemands(args.resources, unknowns),
    ];
    const byGroup = new Map<WorkerGroup, PodDemand[]>();
    for (const demand of demands.filter((d) => d.count > 0)) {
      const group = groups.find((g) => fitsOn(g, demand.nodeSelector, demand.tolerations));
      if (!group) {
        reportViolation(
          `${describe(demand.source)}: ${demand.what} fit on no node group (node selector ${JSON.stringify(demand.nodeSelector)}), so they never hold room. Fix: select the worker group's label and tolerate its taint.`,
          demand.source.urn,
        );
        continue;
      }
      byGroup.set(group, [...(byGroup.get(group) ?? []), demand]);
    }
    for (const [group, held] of byGroup) {
      if (!group.node) {
        reportViolation(
          `${describe(group.resource)}: the pod density of ${group.instanceType} is unknown, so its capacity cannot be checked. Fix: add the type to components/eks/instance-types.ts.`,
          group.resource.urn,
        );
        continue;
      }
      const overhead = daemonOverhead(args.resources, group, unknowns);
      const parts = held.map((d) => ({ demand: d, perNode: podsPerNode(group, overhead, d) }));
      const nodes = Math.ceil(
        parts.reduce((sum, p) => sum + p.demand.count / Math.max(p.perNode, 1e-9), 0) - 1e-9,
      );
      if (nodes < group.maxSize) continue;
      const detail = parts.map((p) => `${p.demand.what} (${p.perNode} per node)`).join(" and ");
      reportViolation(
        `${detail} need ${nodes} ${group.instanceType} workers of the ${group.maxSize} ${describe(group.resource)} may have: no room is left for sandboxes. ` +
          "Fix: raise eks.workerMax, or lower eks.createRatePerSecond or the warm pool size.",
        group.resource.urn,
      );
    }
    unknowns.done();
  },
};
