/**
 * Which Kubernetes resources are the sandboxes' side of the cluster, read from the stack itself rather
 * than from the program's constants, so a renamed namespace or taint is still covered:
 * - sandbox namespaces: where a Role lets someone create pods (the Hub's RBAC);
 * - worker taints: NoSchedule/NoExecute taints of node groups, which only sandbox-side pods tolerate;
 * - sandbox-side workloads: in a sandbox namespace, or able to land on a tainted worker.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isWorkload, tolerates, workloadOf, type Toleration, type Workload } from "../lib/pods";
import { list, ofType } from "../lib/resources";
import { T } from "../lib/types";
import type { Unknowns } from "../lib/unknowns";

interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

const grants = (values: string[] | undefined, wanted: string) =>
  list(values).some((v) => v === wanted || v === "*");

/** Namespaces in which a Role grants `create` on pods, with the Role that does. */
export function sandboxNamespaces(
  resources: readonly PolicyResource[],
  unknowns: Unknowns,
): Map<string, PolicyResource> {
  const found = new Map<string, PolicyResource>();
  unknowns.each(ofType(resources, T.role_k8s), (role) => {
    const rules = list(role.props.rules as RbacRule[] | undefined);
    const createsPods = rules.some(
      (r) => grants(r.apiGroups, "") && grants(r.resources, "pods") && grants(r.verbs, "create"),
    );
    const namespace = (role.props.metadata as { namespace?: string } | undefined)?.namespace;
    if (createsPods && namespace) found.set(namespace, role);
  });
  return found;
}

const EKS_TAINT_EFFECTS: Readonly<Record<string, string>> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
};

/** Taints that keep ordinary pods off a node group (EKS API_Taint spells effects in upper snake case). */
export function workerTaints(resources: readonly PolicyResource[], unknowns: Unknowns): Toleration[] {
  const taints: Toleration[] = [];
  unknowns.each(ofType(resources, T.managedNodeGroup, T.eksNodeGroup), (group) => {
    for (const taint of list(group.props.taints as Toleration[] | undefined)) {
      const effect = EKS_TAINT_EFFECTS[taint.effect ?? ""];
      if (effect) taints.push({ key: taint.key, value: taint.value, effect });
    }
  });
  return taints;
}

export interface SandboxScope {
  readonly namespaces: Map<string, PolicyResource>;
  readonly taints: Toleration[];
  readonly workloads: Workload[];
}

/** Items whose inputs are not known yet are left out and remembered in `unknowns`. */
export function sandboxScope(resources: readonly PolicyResource[], unknowns: Unknowns): SandboxScope {
  const namespaces = sandboxNamespaces(resources, unknowns);
  const taints = workerTaints(resources, unknowns);
  const workloads: Workload[] = [];
  unknowns.each(resources.filter(isWorkload), (resource) => {
    const workload = workloadOf(resource);
    if (!workload) return;
    const inSandboxNamespace = workload.namespace !== undefined && namespaces.has(workload.namespace);
    const onWorkers = taints.some((taint) => tolerates(list(workload.spec.tolerations), taint));
    if (inSandboxNamespace || onWorkers) workloads.push(workload);
  });
  return { namespaces, taints, workloads };
}
