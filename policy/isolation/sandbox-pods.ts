/**
 * Pods on the sandboxes' side (placeholders, the image puller, anything in the sandbox namespace) run
 * next to students' code: no API token to steal, nothing that reaches past the container boundary
 * (Kubernetes docs, "Pod Security Standards", baseline and restricted; "Configure Service Accounts for Pods").
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { allContainers, type PodSpec } from "../lib/pods";
import { list } from "../lib/resources";
import { Unknowns } from "../lib/unknowns";
import { sandboxScope } from "./sandbox-scope";

/** What in a pod spec breaks isolation, one phrase each; empty when nothing does. */
export function podIsolationProblems(spec: PodSpec): string[] {
  const problems: string[] = [];
  if (spec.automountServiceAccountToken !== false) {
    problems.push("automountServiceAccountToken is not false (the pod would get an API token)");
  }
  for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (spec[field] === true) problems.push(`${field} is true`);
  }
  for (const volume of list(spec.volumes)) {
    if (volume.hostPath !== undefined) problems.push(`volume "${volume.name}" mounts a hostPath`);
  }
  for (const container of allContainers(spec)) {
    const context = container.securityContext;
    const name = `container "${container.name ?? "?"}"`;
    if (context?.privileged === true) problems.push(`${name} is privileged`);
    if (context?.allowPrivilegeEscalation === true) problems.push(`${name} allows privilege escalation`);
    const added = list(context?.capabilities?.add);
    if (added.length > 0) problems.push(`${name} adds capabilities ${added.join(", ")}`);
  }
  return problems;
}

export const sandboxPodsLockedDown: StackValidationPolicy = {
  name: "sandbox-pods-locked-down",
  description:
    "Sandbox-side pods never mount a service-account token, never run privileged or with host namespaces, never add capabilities.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const scope = sandboxScope(args.resources, unknowns);
    unknowns.each(scope.workloads, (workload) => {
      const problems = podIsolationProblems(workload.spec);
      if (problems.length === 0) return;
      reportViolation(
        `${workload.resource.type} "${workload.resource.name}" runs on the sandboxes' side: ${problems.join("; ")}. ` +
          'Fix: automountServiceAccountToken: false, no privileged/host settings, capabilities: { drop: ["ALL"] } and nothing added.',
        workload.resource.urn,
      );
    });
    unknowns.done();
  },
};
