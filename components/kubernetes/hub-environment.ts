/**
 * The Hub's configuration on Kubernetes, as environment variables (names: hub-app's config schema,
 * hub-app/src/config.ts and orchestrator/kubernetes/settings.ts). Labels and taints are the ones the
 * node groups and Fargate profile carry.
 */
import {
  FARGATE_LABEL,
  KUBERNETES_PLACEMENTS,
  labelString,
  taintString,
  WORKER_LABEL,
  WORKER_TAINT,
  type KubernetesPlacement,
} from "./placement";
import { RUN_TIMEOUT_MAX_SECONDS_BEHIND_NLB } from "./nlb-idle-timeout";
import type { SandboxSize } from "./sandbox-policies";

export const HUB_PORT = 8080;

export interface HubKubernetesEnvArgs {
  /** HUB_INSTANCE: labels this Hub's sandboxes (sandbox.hub/instance). */
  readonly instance: string;
  readonly tokenSecretArn: string;
  readonly region: string;
  readonly sandboxNamespace: string;
  /** The first is the default placement. */
  readonly placements: readonly KubernetesPlacement[];
  readonly defaultSandboxImage: string;
  /** The size of a sandbox whose request names none: the placeholders' size, so headroom is counted in real sandboxes. */
  readonly defaultSandboxSize: SandboxSize;
}

export function hubKubernetesEnvironment(args: HubKubernetesEnvArgs): Record<string, string> {
  if (args.placements.length === 0) throw new Error("the Hub needs at least one placement (ec2, fargate)");
  const unknown = args.placements.filter((p) => !(KUBERNETES_PLACEMENTS as readonly string[]).includes(p));
  if (unknown.length > 0 || new Set(args.placements).size !== args.placements.length) {
    throw new Error(
      `Hub placements must be distinct values of ${KUBERNETES_PLACEMENTS.join(", ")}, got ${args.placements.join(",")}`,
    );
  }
  return {
    HUB_ORCHESTRATOR: "kubernetes",
    HUB_INSTANCE: args.instance,
    HUB_API_TOKEN_SECRET_ARN: args.tokenSecretArn,
    AWS_REGION: args.region,
    HOST: "0.0.0.0",
    PORT: String(HUB_PORT),
    LOG_LEVEL: "info",
    HUB_RUN_TIMEOUT_MAX_MS: String(RUN_TIMEOUT_MAX_SECONDS_BEHIND_NLB * 1000),
    // Through the NLB's instance targets and kube-proxy every client arrives from a node's address.
    HUB_MAX_CONNECTIONS_PER_CLIENT: "0",
    HUB_DEFAULT_IMAGE: args.defaultSandboxImage,
    HUB_DEFAULT_CPU: String(args.defaultSandboxSize.cpu),
    HUB_DEFAULT_MEMORY_MIB: String(args.defaultSandboxSize.memoryMiB),
    HUB_K8S_NAMESPACE: args.sandboxNamespace,
    HUB_K8S_PLACEMENTS: args.placements.join(","),
    HUB_K8S_WORKER_LABEL: labelString(WORKER_LABEL),
    HUB_K8S_WORKER_TAINT: taintString(WORKER_TAINT),
    HUB_K8S_FARGATE_LABEL: labelString(FARGATE_LABEL),
  };
}

/** As a container's env list, sorted so the plan diff is stable. */
export function envList(env: Readonly<Record<string, string>>): { name: string; value: string }[] {
  return Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name]! }));
}
