/** A stack's Kubernetes objects, from its real program under the mock harness, sent to the real API server. */
import { inject } from "vitest";
import { serverSideApply, type ApplyFailure } from "../../../scripts/cluster/apply";
import { kubernetesObjects, type KubernetesObject } from "../../../scripts/cluster/stack-shape";
import { runStack, type StackName } from "../../harness/stack";

export interface StackApply {
  readonly objects: KubernetesObject[];
  readonly failures: ApplyFailure[];
}

/**
 * Server-side apply with dryRun=All: validation, defaulting and every admission plugin run, nothing is
 * stored, so the shared cluster keeps the eks-ec2 objects the other tests rely on.
 */
export async function dryRunApply(stack: StackName): Promise<StackApply> {
  const { recorder } = await runStack(stack);
  const objects = kubernetesObjects(recorder);
  const failures = await serverSideApply(inject("k8sEnv").kubeconfig, objects, { dryRun: true });
  return { objects, failures };
}

/** The kinds a stack must put into the cluster (a change that drops one fails here, not in production). */
export const KINDS_OF_EVERY_EKS_STACK = [
  "Namespace",
  "ResourceQuota",
  "LimitRange",
  "NetworkPolicy",
  "Role",
  "RoleBinding",
  "ServiceAccount",
  "Deployment",
  "Service",
  "PodDisruptionBudget",
];
