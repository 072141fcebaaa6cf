/**
 * The containers of the ECS candidate as plain objects (ECS API "ContainerDefinition" shape);
 * task definitions take them as JSON.
 */
export interface KeyValuePair {
  readonly name: string;
  readonly value: string;
}

export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly entryPoint?: string[];
  readonly command?: string[];
  readonly portMappings?: { containerPort: number; protocol: "tcp" }[];
  readonly environment?: KeyValuePair[];
  readonly secrets?: { name: string; valueFrom: string }[];
  readonly readonlyRootFilesystem: boolean;
  readonly mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  readonly linuxParameters?: { initProcessEnabled: boolean };
  readonly stopTimeout?: number;
  readonly logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
}

export const SANDBOX_CONTAINER_NAME = "sandbox";
export const HUB_CONTAINER_NAME = "hub";
export const HUB_PORT = 8080;
/** The ephemeral volume the Hub writes temporary files to, its root filesystem being read-only. */
export const HUB_SCRATCH_VOLUME = "scratch";

/**
 * Keeps a sandbox alive until stopped, in any image that has `sh`: `sleep infinity` is GNU-only,
 * and the trap makes SIGTERM end the task at once instead of after the stop timeout.
 */
export const KEEP_ALIVE = {
  entryPoint: ["sh", "-c"],
  command: ["trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"],
} as const;

export interface LogTarget {
  readonly logGroupName: string;
  readonly region: string;
}

/** awslogs in non-blocking mode: a slow log stream never stalls the process writing to it. */
export function awsLogs(target: LogTarget, streamPrefix: string): ContainerDefinition["logConfiguration"] {
  return {
    logDriver: "awslogs",
    options: {
      "awslogs-group": target.logGroupName,
      "awslogs-region": target.region,
      "awslogs-stream-prefix": streamPrefix,
      mode: "non-blocking",
    },
  };
}

/**
 * The default sandbox container. initProcessEnabled runs an init as PID 1 that reaps the
 * processes ECS Exec starts (AWS docs, ECS Exec considerations). The root filesystem stays
 * writable: the ECS Exec agent writes into the container and students write files.
 */
export function sandboxContainerDefinition(args: {
  readonly image: string;
  readonly logs: LogTarget;
}): ContainerDefinition {
  return {
    name: SANDBOX_CONTAINER_NAME,
    image: args.image,
    essential: true,
    entryPoint: [...KEEP_ALIVE.entryPoint],
    command: [...KEEP_ALIVE.command],
    readonlyRootFilesystem: false,
    linuxParameters: { initProcessEnabled: true },
    logConfiguration: awsLogs(args.logs, "sandbox"),
  };
}

/**
 * The Hub container. Its API token comes from Secrets Manager through `secrets`, so it is never
 * in the task definition's plain environment; its root filesystem is read-only with a scratch
 * volume on /tmp.
 */
export function hubContainerDefinition(args: {
  readonly image: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly tokenSecretArn: string;
  readonly logs: LogTarget;
}): ContainerDefinition {
  if ("HUB_API_TOKEN" in args.environment) {
    throw new Error("HUB_API_TOKEN must come from Secrets Manager, not the plain environment");
  }
  return {
    name: HUB_CONTAINER_NAME,
    image: args.image,
    essential: true,
    portMappings: [{ containerPort: HUB_PORT, protocol: "tcp" }],
    environment: toKeyValuePairs(args.environment),
    secrets: [{ name: "HUB_API_TOKEN", valueFrom: args.tokenSecretArn }],
    readonlyRootFilesystem: true,
    mountPoints: [{ sourceVolume: HUB_SCRATCH_VOLUME, containerPath: "/tmp", readOnly: false }],
    // The Fargate maximum (ECS task definition parameters, stopTimeout): lets running commands finish.
    stopTimeout: 120,
    logConfiguration: awsLogs(args.logs, "hub"),
  };
}

/** Sorted by name so the task definition does not change when key order does. */
export function toKeyValuePairs(values: Readonly<Record<string, string>>): KeyValuePair[] {
  return Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
}
