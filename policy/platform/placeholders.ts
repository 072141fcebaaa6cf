/**
 * Placeholder pods: workloads that run nothing but the pause image with a PriorityClass, kept only to
 * hold room for sandboxes (cluster-autoscaler FAQ.md, "How can I configure overprovisioning").
 */
import type { PolicyResource } from "@pulumi/policy";
import { isWorkload, workloadOf, type Workload } from "../lib/pods";
import { list, ofType } from "../lib/resources";
import { T } from "../lib/types";
import type { Unknowns } from "../lib/unknowns";

const PAUSE_IMAGE = /(^|\/)pause([:@]|$)/;

export function placeholders(resources: readonly PolicyResource[], unknowns: Unknowns): Workload[] {
  const found: Workload[] = [];
  unknowns.each(
    resources.filter((r) => isWorkload(r) && r.type !== T.daemonSet),
    (resource) => {
      const workload = workloadOf(resource);
      const containers = list(workload?.spec.containers);
      const pauseOnly = containers.length > 0 && containers.every((c) => PAUSE_IMAGE.test(c.image ?? ""));
      if (workload && pauseOnly && workload.spec.priorityClassName) found.push(workload);
    },
  );
  return found;
}

export function priorityClasses(
  resources: readonly PolicyResource[],
  unknowns: Unknowns,
): Map<string, PolicyResource> {
  const byName = new Map<string, PolicyResource>();
  unknowns.each(ofType(resources, T.priorityClass), (pc) => {
    const name = (pc.props.metadata as { name?: string } | undefined)?.name;
    if (name) byName.set(name, pc);
  });
  return byName;
}
