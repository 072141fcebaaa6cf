import { z } from "zod";
import { choiceEnv, describeEnvIssues, numberEnv, optionalTextEnv } from "./env-fields.js";
import { previewDomainEnv, publicUrlEnv } from "./port-url-env.js";
import { serverEnvFields, tokenEnv, type AdmissionLimits, type ServerLimits } from "./server-limits.js";
import {
  descriptorOf,
  ORCHESTRATOR_KINDS,
  type OrchestratorKind,
  type OrchestratorSelection,
} from "./orchestrator/registry.js";
import { warmPoolsEnv } from "./services/pools/pool-env.js";
import { poolProblems, resolvePools, type WarmPoolSpec } from "./services/pools/pool-spec.js";

// This file and what it imports must not use `import.meta`: the CommonJS infrastructure tests import parseHubEnv.

export type { OrchestratorSelection } from "./orchestrator/registry.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
// A Kubernetes label value (sandbox.hub/instance=<HUB_INSTANCE>): 63 characters, alphanumeric ends.
const INSTANCE_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The variables every Hub reads, whatever its orchestrator; each orchestrator's own are in its descriptor. */
export const hubEnvSchema = z
  .object({
    HUB_ORCHESTRATOR: choiceEnv("HUB_ORCHESTRATOR", ORCHESTRATOR_KINDS, "local"),
    HUB_API_TOKEN: tokenEnv("HUB_API_TOKEN"),
    HUB_API_TOKEN_SECRET_ARN: optionalTextEnv().refine((arn) => arn === undefined || arn.startsWith("arn:"), {
      error: 'HUB_API_TOKEN_SECRET_ARN must be a Secrets Manager ARN ("arn:aws:secretsmanager:...")',
    }),
    PORT: numberEnv("PORT", { min: 0, max: 65535, integer: true }, 8080),
    HOST: optionalTextEnv().transform((host) => host ?? "127.0.0.1"),
    HUB_INSTANCE: optionalTextEnv()
      .transform((name) => name ?? "hub")
      .refine((name) => INSTANCE_PATTERN.test(name), {
        error:
          "HUB_INSTANCE must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
      }),
    LOG_LEVEL: choiceEnv("LOG_LEVEL", LOG_LEVELS, "info"),
    HUB_DEFAULT_IMAGE: optionalTextEnv(),
    HUB_CPU_MIN: numberEnv("HUB_CPU_MIN", { min: 0.01, max: 192 }, 0.1),
    HUB_CPU_MAX: numberEnv("HUB_CPU_MAX", { min: 0.01, max: 192 }, 4),
    HUB_MEMORY_MIN_MIB: numberEnv("HUB_MEMORY_MIN_MIB", { min: 16, max: 1_048_576, integer: true }, 128),
    HUB_MEMORY_MAX_MIB: numberEnv("HUB_MEMORY_MAX_MIB", { min: 16, max: 1_048_576, integer: true }, 8192),
    // The size of a container whose request names none (must lie within the min/max above); the stacks set it to their placeholder size.
    HUB_DEFAULT_CPU: numberEnv("HUB_DEFAULT_CPU", { min: 0.01, max: 192 }, 0.25),
    HUB_DEFAULT_MEMORY_MIB: numberEnv(
      "HUB_DEFAULT_MEMORY_MIB",
      { min: 16, max: 1_048_576, integer: true },
      512,
    ),
    HUB_TTL_DEFAULT_SECONDS: numberEnv(
      "HUB_TTL_DEFAULT_SECONDS",
      { min: 1, max: 31_536_000, integer: true },
      3600,
    ),
    HUB_TTL_MIN_SECONDS: numberEnv("HUB_TTL_MIN_SECONDS", { min: 1, max: 31_536_000, integer: true }, 60),
    HUB_TTL_MAX_SECONDS: numberEnv("HUB_TTL_MAX_SECONDS", { min: 1, max: 31_536_000, integer: true }, 86_400),
    HUB_RUN_TIMEOUT_DEFAULT_MS: numberEnv(
      "HUB_RUN_TIMEOUT_DEFAULT_MS",
      { min: 100, max: 86_400_000, integer: true },
      30_000,
    ),
    HUB_RUN_TIMEOUT_MAX_MS: numberEnv(
      "HUB_RUN_TIMEOUT_MAX_MS",
      { min: 100, max: 86_400_000, integer: true },
      600_000,
    ),
    HUB_OUTPUT_LIMIT_BYTES: numberEnv(
      "HUB_OUTPUT_LIMIT_BYTES",
      { min: 1, max: 1_073_741_824, integer: true },
      1_048_576,
    ),
    HUB_BODY_LIMIT_BYTES: numberEnv(
      "HUB_BODY_LIMIT_BYTES",
      { min: 1024, max: 1_073_741_824, integer: true },
      10_485_760,
    ),
    HUB_FILES_MAX_COUNT: numberEnv("HUB_FILES_MAX_COUNT", { min: 1, max: 100_000, integer: true }, 100),
    HUB_FILES_MAX_BYTES: numberEnv(
      "HUB_FILES_MAX_BYTES",
      { min: 1, max: 1_073_741_824, integer: true },
      10_485_760,
    ),
    ...serverEnvFields,
    HUB_CREATE_TIMEOUT_MS: numberEnv(
      "HUB_CREATE_TIMEOUT_MS",
      { min: 100, max: 3_600_000, integer: true },
      300_000,
    ),
    HUB_REAPER_INTERVAL_MS: numberEnv(
      "HUB_REAPER_INTERVAL_MS",
      { min: 100, max: 86_400_000, integer: true },
      30_000,
    ),
    HUB_WARM_POOL_SIZE: numberEnv("HUB_WARM_POOL_SIZE", { min: 0, max: 1000, integer: true }, 0),
    HUB_WARM_POOLS: warmPoolsEnv(),
    // An hour: long enough that members are rarely recycled unclaimed, short enough that a new image reaches them the same hour.
    HUB_WARM_POOL_MAX_AGE_SECONDS: numberEnv(
      "HUB_WARM_POOL_MAX_AGE_SECONDS",
      { min: 60, max: 604_800, integer: true },
      3600,
    ),
    HUB_WARM_POOL_INTERVAL_MS: numberEnv(
      "HUB_WARM_POOL_INTERVAL_MS",
      { min: 100, max: 600_000, integer: true },
      2000,
    ),
    HUB_PUBLIC_URL: publicUrlEnv(),
    HUB_PREVIEW_DOMAIN: previewDomainEnv(),
    // A few seconds: a refused connection fails at once; this bounds a dropped one (a security group, a gone pod).
    HUB_PROXY_CONNECT_TIMEOUT_MS: numberEnv(
      "HUB_PROXY_CONNECT_TIMEOUT_MS",
      { min: 100, max: 60_000, integer: true },
      5000,
    ),
    HUB_PROXY_RESPONSE_TIMEOUT_MS: numberEnv(
      "HUB_PROXY_RESPONSE_TIMEOUT_MS",
      { min: 100, max: 3_600_000, integer: true },
      60_000,
    ),
    // A browser opens at most 6 connections per host (HTTP/1.1); room for a dev server's WebSocket, SSE and several tabs.
    HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER: numberEnv(
      "HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER",
      { min: 1, max: 100_000, integer: true },
      64,
    ),
  })
  .superRefine((env, ctx) => {
    type NumericKey = {
      [K in keyof typeof env]: (typeof env)[K] extends number ? K : never;
    }[keyof typeof env];
    const ordered = (low: NumericKey, high: NumericKey, path: string): void => {
      if (Number(env[low]) > Number(env[high])) {
        ctx.addIssue({
          code: "custom",
          path: [path],
          message: `${low} (${env[low]}) must not exceed ${high} (${env[high]})`,
        });
      }
    };
    ordered("HUB_CPU_MIN", "HUB_CPU_MAX", "HUB_CPU_MIN");
    ordered("HUB_MEMORY_MIN_MIB", "HUB_MEMORY_MAX_MIB", "HUB_MEMORY_MIN_MIB");
    ordered("HUB_CPU_MIN", "HUB_DEFAULT_CPU", "HUB_DEFAULT_CPU");
    ordered("HUB_DEFAULT_CPU", "HUB_CPU_MAX", "HUB_DEFAULT_CPU");
    ordered("HUB_MEMORY_MIN_MIB", "HUB_DEFAULT_MEMORY_MIB", "HUB_DEFAULT_MEMORY_MIB");
    ordered("HUB_DEFAULT_MEMORY_MIB", "HUB_MEMORY_MAX_MIB", "HUB_DEFAULT_MEMORY_MIB");
    ordered("HUB_TTL_MIN_SECONDS", "HUB_TTL_DEFAULT_SECONDS", "HUB_TTL_DEFAULT_SECONDS");
    ordered("HUB_TTL_DEFAULT_SECONDS", "HUB_TTL_MAX_SECONDS", "HUB_TTL_DEFAULT_SECONDS");
    ordered("HUB_RUN_TIMEOUT_DEFAULT_MS", "HUB_RUN_TIMEOUT_MAX_MS", "HUB_RUN_TIMEOUT_DEFAULT_MS");
    const kind = env.HUB_ORCHESTRATOR;
    for (const problem of poolProblems(warmPoolsOf(env), {
      cpuMin: env.HUB_CPU_MIN,
      cpuMax: env.HUB_CPU_MAX,
      memoryMinMiB: env.HUB_MEMORY_MIN_MIB,
      memoryMaxMiB: env.HUB_MEMORY_MAX_MIB,
      placements: descriptorOf(kind).placements,
    })) {
      ctx.addIssue({ code: "custom", path: ["HUB_WARM_POOLS"], message: problem });
    }
    if (
      descriptorOf(kind).tokenRequired &&
      env.HUB_API_TOKEN === undefined &&
      env.HUB_API_TOKEN_SECRET_ARN === undefined
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["HUB_API_TOKEN"],
        message: `HUB_API_TOKEN or HUB_API_TOKEN_SECRET_ARN is required when HUB_ORCHESTRATOR=${kind} (only a local Hub generates its own token)`,
      });
    }
  });

type HubEnv = z.output<typeof hubEnvSchema>;

function defaultImageOf(env: Pick<HubEnv, "HUB_DEFAULT_IMAGE" | "HUB_ORCHESTRATOR">): string {
  return env.HUB_DEFAULT_IMAGE ?? descriptorOf(env.HUB_ORCHESTRATOR).defaultImage;
}

type PoolEnv = Pick<
  HubEnv,
  | "HUB_DEFAULT_IMAGE"
  | "HUB_ORCHESTRATOR"
  | "HUB_DEFAULT_CPU"
  | "HUB_DEFAULT_MEMORY_MIB"
  | "HUB_WARM_POOL_SIZE"
  | "HUB_WARM_POOLS"
  | "HUB_WARM_POOL_MAX_AGE_SECONDS"
>;

function warmPoolsOf(env: PoolEnv): WarmPoolSpec[] {
  return resolvePools(env.HUB_WARM_POOLS, {
    image: defaultImageOf(env),
    cpu: env.HUB_DEFAULT_CPU,
    memoryMiB: env.HUB_DEFAULT_MEMORY_MIB,
    maxAgeSeconds: env.HUB_WARM_POOL_MAX_AGE_SECONDS,
    defaultPoolSize: env.HUB_WARM_POOL_SIZE,
  });
}

export interface HubLimits {
  readonly cpuMin: number;
  readonly cpuMax: number;
  readonly cpuDefault: number;
  readonly memoryMinMiB: number;
  readonly memoryMaxMiB: number;
  readonly memoryDefaultMiB: number;
  readonly ttlDefaultSeconds: number;
  readonly ttlMinSeconds: number;
  readonly ttlMaxSeconds: number;
  readonly runTimeoutDefaultMs: number;
  readonly runTimeoutMaxMs: number;
  readonly outputLimitBytes: number;
  readonly bodyLimitBytes: number;
  readonly filesMaxCount: number;
  readonly filesMaxBytes: number;
  readonly createTimeoutMs: number;
}

/** How students reach their apps (docs/hub.md, "Port URLs"). */
export interface PortUrlConfig {
  /** The Hub's public origin; absent: the origin each mint request came to. */
  readonly publicUrl?: string;
  /** Host-based URLs under this domain; absent: path-based under publicUrl. */
  readonly previewDomain?: string;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly maxConnectionsPerContainer: number;
}

export interface HubConfig {
  readonly orchestrator: OrchestratorSelection;
  /** Absent when neither HUB_API_TOKEN nor a secret is given (a local Hub then generates one). */
  readonly apiToken?: string;
  readonly apiTokenSecretArn?: string;
  readonly port: number;
  readonly host: string;
  readonly instance: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly defaultImage: string;
  readonly limits: HubLimits;
  readonly server: ServerLimits;
  readonly admission: AdmissionLimits;
  readonly reaperIntervalMs: number;
  readonly warmPools: {
    readonly pools: readonly WarmPoolSpec[];
    /** How often each pool is listed, refilled, trimmed and recycled (and at once after a claim). */
    readonly intervalMs: number;
  };
  readonly portUrls: PortUrlConfig;
}

/** Validates the whole environment; throws an Error naming every bad variable and what it allows. */
export function parseHubEnv(env: NodeJS.ProcessEnv): HubConfig {
  const common = hubEnvSchema.safeParse(env);
  if (!common.success) throw new Error(`invalid Hub configuration: ${describeEnvIssues(common.error)}`);
  return toHubConfig(common.data, parseOrchestratorEnv(common.data.HUB_ORCHESTRATOR, env));
}

function parseOrchestratorEnv(kind: OrchestratorKind, env: NodeJS.ProcessEnv): OrchestratorSelection {
  const parsed = (descriptorOf(kind).envSchema as z.ZodType).safeParse(env);
  if (!parsed.success)
    throw new Error(`invalid ${kind} orchestrator configuration: ${describeEnvIssues(parsed.error)}`);
  return { kind, settings: parsed.data } as OrchestratorSelection;
}

function toHubConfig(env: HubEnv, orchestrator: OrchestratorSelection): HubConfig {
  return {
    orchestrator,
    ...(env.HUB_API_TOKEN === undefined ? {} : { apiToken: env.HUB_API_TOKEN }),
    ...(env.HUB_API_TOKEN_SECRET_ARN === undefined
      ? {}
      : { apiTokenSecretArn: env.HUB_API_TOKEN_SECRET_ARN }),
    port: env.PORT,
    host: env.HOST,
    instance: env.HUB_INSTANCE,
    logLevel: env.LOG_LEVEL,
    defaultImage: defaultImageOf(env),
    limits: {
      cpuMin: env.HUB_CPU_MIN,
      cpuMax: env.HUB_CPU_MAX,
      cpuDefault: env.HUB_DEFAULT_CPU,
      memoryMinMiB: env.HUB_MEMORY_MIN_MIB,
      memoryMaxMiB: env.HUB_MEMORY_MAX_MIB,
      memoryDefaultMiB: env.HUB_DEFAULT_MEMORY_MIB,
      ttlDefaultSeconds: env.HUB_TTL_DEFAULT_SECONDS,
      ttlMinSeconds: env.HUB_TTL_MIN_SECONDS,
      ttlMaxSeconds: env.HUB_TTL_MAX_SECONDS,
      runTimeoutDefaultMs: env.HUB_RUN_TIMEOUT_DEFAULT_MS,
      runTimeoutMaxMs: env.HUB_RUN_TIMEOUT_MAX_MS,
      outputLimitBytes: env.HUB_OUTPUT_LIMIT_BYTES,
      bodyLimitBytes: env.HUB_BODY_LIMIT_BYTES,
      filesMaxCount: env.HUB_FILES_MAX_COUNT,
      filesMaxBytes: env.HUB_FILES_MAX_BYTES,
      createTimeoutMs: env.HUB_CREATE_TIMEOUT_MS,
    },
    server: {
      ...(env.HUB_METRICS_TOKEN === undefined ? {} : { metricsToken: env.HUB_METRICS_TOKEN }),
      headersTimeoutMs: env.HUB_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HUB_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HUB_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: env.HUB_MAX_CONNECTIONS,
    },
    admission: {
      createConcurrency: env.HUB_CREATE_CONCURRENCY || descriptorOf(env.HUB_ORCHESTRATOR).createConcurrency,
      createQueue: env.HUB_CREATE_QUEUE,
    },
    reaperIntervalMs: env.HUB_REAPER_INTERVAL_MS,
    warmPools: { pools: warmPoolsOf(env), intervalMs: env.HUB_WARM_POOL_INTERVAL_MS },
    portUrls: {
      ...(env.HUB_PUBLIC_URL === undefined ? {} : { publicUrl: env.HUB_PUBLIC_URL }),
      ...(env.HUB_PREVIEW_DOMAIN === undefined ? {} : { previewDomain: env.HUB_PREVIEW_DOMAIN }),
      connectTimeoutMs: env.HUB_PROXY_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: env.HUB_PROXY_RESPONSE_TIMEOUT_MS,
      maxConnectionsPerContainer: env.HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER,
    },
  };
}
