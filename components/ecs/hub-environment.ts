/**
 * The Hub's configuration on ECS, as the environment variables hub-app reads (names shared
 * with hub-app/src/config.ts and orchestrator/ecs). The API token is not here: it is injected
 * from Secrets Manager.
 */
import { HUB_PORT } from "./container-definitions";
import { HUB_RUN_TIMEOUT_MAX_SECONDS } from "./listeners";

export type CapacityProvider = "FARGATE" | "FARGATE_SPOT";

export interface HubOnEcsSettings {
  /** This Hub's name, tagged on its sandboxes. */
  readonly instance: string;
  readonly region: string;
  readonly clusterName: string;
  /** Private subnets sandboxes start in. */
  readonly subnetIds: readonly string[];
  readonly sandboxSecurityGroupIds: readonly string[];
  readonly sandboxFamily: string;
  readonly sandboxExecutionRoleArn: string;
  readonly sandboxTaskRoleArn: string;
  readonly logGroupName: string;
  readonly capacityProvider: CapacityProvider;
  /** Image sandboxes start from when a request names none. */
  readonly defaultImage: string;
  /** The size of a sandbox whose request names none (vCPU, MiB). */
  readonly defaultSize: { readonly cpu: number; readonly memoryMiB: number };
}

export function hubEnvironment(settings: HubOnEcsSettings): Record<string, string> {
  if (settings.subnetIds.length === 0) throw new Error("the Hub on ECS needs at least one sandbox subnet");
  if (settings.sandboxSecurityGroupIds.length === 0) {
    throw new Error("the Hub on ECS needs at least one sandbox security group");
  }
  return {
    HUB_ORCHESTRATOR: "ecs",
    HUB_INSTANCE: settings.instance,
    HUB_DEFAULT_IMAGE: settings.defaultImage,
    HUB_DEFAULT_CPU: String(settings.defaultSize.cpu),
    HUB_DEFAULT_MEMORY_MIB: String(settings.defaultSize.memoryMiB),
    PORT: String(HUB_PORT),
    HOST: "0.0.0.0",
    // Stated, not left to the Hub's default: the ALB's idle timeout is sized from the same constant.
    HUB_RUN_TIMEOUT_MAX_MS: String(HUB_RUN_TIMEOUT_MAX_SECONDS * 1000),
    // Every client arrives from one of the ALB's own addresses.
    HUB_MAX_CONNECTIONS_PER_CLIENT: "0",
    AWS_REGION: settings.region,
    HUB_ECS_CLUSTER: settings.clusterName,
    HUB_ECS_SUBNETS: settings.subnetIds.join(","),
    HUB_ECS_SECURITY_GROUPS: settings.sandboxSecurityGroupIds.join(","),
    HUB_ECS_TASK_FAMILY: settings.sandboxFamily,
    HUB_ECS_EXECUTION_ROLE_ARN: settings.sandboxExecutionRoleArn,
    HUB_ECS_TASK_ROLE_ARN: settings.sandboxTaskRoleArn,
    HUB_ECS_LOG_GROUP: settings.logGroupName,
    // Sandboxes sit in private subnets and go out through NAT.
    HUB_ECS_ASSIGN_PUBLIC_IP: "false",
    HUB_ECS_CAPACITY_PROVIDER: settings.capacityProvider,
  };
}
