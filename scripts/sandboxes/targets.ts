/**
 * Which sandboxes a stack's Hubs started, read from the stack's outputs: each Hub's environment says
 * where its sandboxes live (the ECS cluster, the Kubernetes namespace) and the instance name they
 * carry as their marker (tag or label `sandbox.hub/instance`).
 */
import { z } from "zod";

export interface EcsTarget {
  readonly kind: "ecs";
  readonly region: string;
  readonly cluster: string;
  readonly instance: string;
}

export interface KubernetesTarget {
  readonly kind: "kubernetes";
  readonly namespace: string;
  readonly instance: string;
  /** The stack's kubeconfig, as `pulumi stack output --show-secrets` prints it. */
  readonly kubeconfig: string;
}

export type StopTarget = EcsTarget | KubernetesTarget;

const ecsOutputs = z.object({
  hubEnvironment: z.object({
    AWS_REGION: z.string().min(1),
    HUB_ECS_CLUSTER: z.string().min(1),
    HUB_INSTANCE: z.string().min(1),
  }),
});

const eksOutputs = z.object({
  hubEnvironment: z.object({ HUB_K8S_NAMESPACE: z.string().min(1), HUB_INSTANCE: z.string().min(1) }),
  // An object when printed with --show-secrets from a stack whose output is JSON, a string otherwise.
  kubeconfig: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
});

const stackOutputs = z.object({ ecs: ecsOutputs.optional(), eks: eksOutputs.optional() });

/** The stop targets in a stack's outputs; a clear error when they are not a sandbox-platform stack's. */
export function stopTargets(outputs: unknown): StopTarget[] {
  const parsed = stackOutputs.safeParse(outputs);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(
      `the stack outputs are not this project's (ecs/eks with hubEnvironment): ${problems.join("; ")}`,
    );
  }
  const { ecs, eks } = parsed.data;
  const targets: StopTarget[] = [];
  if (eks !== undefined) {
    const kubeconfig = typeof eks.kubeconfig === "string" ? eks.kubeconfig : JSON.stringify(eks.kubeconfig);
    if (kubeconfig.includes("[secret]")) {
      throw new Error(
        "the kubeconfig output is hidden: read the outputs with `pulumi stack output --json --show-secrets`",
      );
    }
    targets.push({
      kind: "kubernetes",
      namespace: eks.hubEnvironment.HUB_K8S_NAMESPACE,
      instance: eks.hubEnvironment.HUB_INSTANCE,
      kubeconfig,
    });
  }
  if (ecs !== undefined) {
    targets.push({
      kind: "ecs",
      region: ecs.hubEnvironment.AWS_REGION,
      cluster: ecs.hubEnvironment.HUB_ECS_CLUSTER,
      instance: ecs.hubEnvironment.HUB_INSTANCE,
    });
  }
  if (targets.length === 0) throw new Error("the stack has no Hub (no ecs or eks output): nothing to stop");
  return targets;
}
